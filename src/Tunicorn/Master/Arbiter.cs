using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Tunicorn.Config;
using Tunicorn.Hooks;
using Tunicorn.Interop;
using Tunicorn.Registry;
using Tunicorn.Worker;

namespace Tunicorn.Master;

/// <summary>
/// The master process: owns the listeners, keeps the target number of healthy workers, and acts on signals.
/// One loop (<see cref="RunAsync"/>): wait for events (a timer adds one every second), dispatch each, then murder
/// silent workers, advance a pending reload and manage the worker count. Signal handlers and process callbacks only
/// enqueue; all state changes happen on the loop. A pass allocates nothing, nor does a heartbeat: an idle master
/// does not grow.
/// </summary>
internal sealed partial class Arbiter : IArbiterContext
{
    private static readonly TimeSpan PassInterval = TimeSpan.FromSeconds(1);

    /// <summary>Tries to bind an address in use at start-up, and the pause between them: gunicorn's 5 tries, 1 s apart.</summary>
    private const int BindTries = 5;
    private static readonly TimeSpan BindPause = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRespawnBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan BootAllowance = TimeSpan.FromSeconds(30);

    private readonly Channel<ArbiterEvent> _events = Channel.CreateUnbounded<ArbiterEvent>(new() { SingleReader = true });
    private readonly Dictionary<int, WorkerProcess> _workers = [];
    private readonly ConnectionBoard _board = ConnectionBoard.Create();
    private readonly List<PosixSignalRegistration> _signalRegistrations = [];
    private readonly CancellationTokenSource _shutdown = new();
    private readonly GenerationLoader _reload;
    private readonly WorkerSpawner _spawner;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Action _reopenLogs;
    private readonly IServiceRegistry _registry;
    private readonly string? _advertiseHost;
    private readonly ILogger _log;

    private ServerGeneration _current;
    private HookRunner _hooks;
    private ListenerSet? _listeners;
    private Pidfile? _pidfile;
    private int _generation;
    private int _lastGeneration;
    private int _target;
    private int _nextAge;
    private bool _everBooted;
    private PendingReload? _reloading;
    private StopKind? _stop;
    private TimeSpan _respawnBackoff;
    private long _respawnNotBefore;
    private Timer? _passTimer;

    public Arbiter(ServerGeneration initial, GenerationLoader reload, WorkerSpawner spawner, ILoggerFactory loggerFactory, Action reopenLogs,
        IServiceRegistry? registry = null, string? advertiseHost = null)
    {
        _registry = registry ?? new NoServiceRegistry();
        _advertiseHost = advertiseHost;
        _current = initial;
        _reload = reload;
        _spawner = spawner;
        _loggerFactory = loggerFactory;
        _reopenLogs = reopenLogs;
        _log = loggerFactory.CreateLogger("tunicorn.master");
        _hooks = new HookRunner(initial.Hooks, _log);
        _target = initial.Settings.Workers;
    }

    private enum StopKind { Graceful, Quick }

    /// <summary>Called once the listeners are bound and the pidfile written, before any worker starts (the daemon setting reports then).</summary>
    public Action? Listening { get; init; }

    public int Pid => Environment.ProcessId;
    public Settings Settings => _current.Settings;
    public int TargetWorkers => _target;
    public ILogger Log => _log;

    /// <summary>Runs the master until it is stopped; returns the process exit code.</summary>
    public async Task<int> RunAsync()
    {
        try
        {
            await StartAsync();
            ManageWorkers();
            _hooks.Run("when_ready", h => h.WhenReady(this));
            _hooks.Run("nworkers_changed", h => h.NWorkersChanged(this, _target, null));

            _passTimer = new Timer(_ => _events.Writer.TryWrite(ArbiterEvent.PassDue.Instance), null, PassInterval, PassInterval);
            while (_stop is null)
            {
                // Without a token the channel reuses one waiter, and this method's await reuses its state: no garbage
                // a pass (a timeout token each second was most of what a steady master allocated).
                if (!_events.Reader.TryPeek(out _))
                    await _events.Reader.WaitToReadAsync();
                while (_events.Reader.TryRead(out var ev))
                    Dispatch(ev);
                MurderSilentWorkers();
                AdvanceReload();
                ManageWorkers();
            }
            return await StopAsync(_stop.Value);
        }
        catch (HaltServerException halt)
        {
            Halting(_log, halt.Message);
            _stop = StopKind.Quick; // workers that fail while we stop must not halt us a second time
            await DeregisterAsync();
            await StopWorkersAsync(Signals.SIGQUIT, TimeSpan.FromSeconds(5));
            Cleanup();
            await _registry.DisposeAsync();
            return halt.ExitCode;
        }
    }

    private async Task StartAsync()
    {
        var settings = _current.Settings;
        Starting(_log, typeof(Arbiter).Assembly.GetName().Version?.ToString(3) ?? "?");
        _hooks.Run("on_starting", h => h.OnStarting(this));

        // PLATFORM-NOTES: only the listeners may reach workers; mark anything inherited close-on-exec.
        FileDescriptors.MarkAllCloseOnExec();
        try
        {
            _listeners = await ListenerSet.BindAsync(settings.Bind, settings.Backlog, settings.ReusePort, BindTries, BindPause,
                (e, attempt) => ConnectionInUse(_log, e.Bind, attempt, BindTries, BindPause.TotalSeconds));
        }
        catch (Exception e) when (e is IOException or FormatException or System.Net.Sockets.SocketException)
        {
            throw new HaltServerException(e.Message, 1);
        }
        if (settings.Pidfile is { Length: > 0 } path)
        {
            _pidfile = new Pidfile(path);
            try
            {
                _pidfile.Create(Pid);
            }
            catch (IOException e)
            {
                _pidfile = null;
                throw new HaltServerException(e.Message, 1);
            }
        }
        foreach (string name in _listeners.Names)
            ListeningAt(_log, name, Pid);
        UsingWorker(_log, settings.WorkerClass.ToString().ToLowerInvariant());

        foreach (int signal in (int[])[Signals.SIGTERM, Signals.SIGINT, Signals.SIGQUIT, Signals.SIGHUP, Signals.SIGTTIN,
                     Signals.SIGTTOU, Signals.SIGUSR1, Signals.SIGUSR2, Signals.SIGWINCH])
        {
            _signalRegistrations.Add(PosixSignalRegistration.Create((PosixSignal)signal, context =>
            {
                context.Cancel = true;
                _events.Writer.TryWrite(new ArbiterEvent.SignalReceived(signal));
            }));
        }
        Listening?.Invoke();
    }

    private async Task<List<ArbiterEvent>> NextEventsAsync(TimeSpan wait)
    {
        var batch = new List<ArbiterEvent>();
        if (!_events.Reader.TryPeek(out _))
        {
            using var timeout = new CancellationTokenSource(wait);
            try
            {
                await _events.Reader.WaitToReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return batch;
            }
        }
        while (_events.Reader.TryRead(out var ev))
            batch.Add(ev);
        return batch;
    }

    private void Dispatch(ArbiterEvent ev)
    {
        switch (ev)
        {
            case ArbiterEvent.SignalReceived s:
                HandleSignal(s.Signal);
                break;
            case ArbiterEvent.WorkerExited e:
                Reap(e);
                break;
            case ArbiterEvent.WorkerReported { Report.Kind: WorkerReportKind.Booted } r:
                r.Worker.Booted = true;
                if (!_everBooted && _listeners is not null)
                {
                    // Announce only once a worker accepts; the registry keeps the entries alive on its own.
                    _ = _registry.StartAsync(ServiceEndpoint.FromListeners(_listeners.Names, _advertiseHost), _shutdown.Token);
                }
                _everBooted = true;
                _respawnBackoff = TimeSpan.Zero;
                WorkerBooted(_log, r.Worker.Pid);
                break;
            case ArbiterEvent.WorkerReported { Report.Kind: WorkerReportKind.Error } r:
                r.Worker.BootError = r.Report.Text;
                break;
            case ArbiterEvent.WorkerReported { Report.Kind: WorkerReportKind.Retire } r when !r.Worker.Retiring && r.Worker.ReplaceReason is null:
                // Spawn-first: no longer counted, so ManageWorkers starts its replacement; retired once that one booted.
                r.Worker.ReplaceReason = r.Report.Text ?? "asked to be replaced";
                WorkerReplacing(_log, r.Worker.Pid, r.Worker.ReplaceReason);
                break;
            case ArbiterEvent.WorkerReported { Report.Kind: WorkerReportKind.Stopping } r:
                r.Worker.StopReason = r.Report.Text;
                break;
        }
    }

    private void HandleSignal(int signal)
    {
        HandlingSignal(_log, Signals.Name(signal));
        switch (signal)
        {
            case Signals.SIGTERM: _stop ??= StopKind.Graceful; break;
            case Signals.SIGINT or Signals.SIGQUIT: _stop = StopKind.Quick; break;
            case Signals.SIGHUP: HandleHup(); break;
            case Signals.SIGTTIN: ChangeTarget(_target + 1); break;
            case Signals.SIGTTOU: ChangeTarget(Math.Max(1, _target - 1)); break;
            case Signals.SIGUSR1: HandleUsr1(); break;
            case Signals.SIGUSR2: UpgradeUnsupported(_log); break;
            case Signals.SIGWINCH: WinchIgnored(_log); break;
        }
    }

    private void ChangeTarget(int target)
    {
        if (target == _target)
            return;
        int old = _target;
        _target = target;
        _hooks.Run("nworkers_changed", h => h.NWorkersChanged(this, target, old));
    }

    private void HandleUsr1()
    {
        _reopenLogs();
        foreach (var w in _workers.Values)
            SendTo(w, Signals.SIGUSR1);
    }

    private void HandleHup()
    {
        if (_reloading is not null)
        {
            ReloadInProgress(_log, _reloading.Generation);
            return;
        }
        ServerGeneration? next = null;
        ListenerSet listeners;
        try
        {
            next = _reload();
            listeners = ListenerSet.Reconcile(_listeners, next.Settings.Bind, next.Settings.Backlog, next.Settings.ReusePort);
        }
        catch (Exception e)
        {
            if (next is not null)
                Release(next);
            ReloadFailed(_log, _workers.Count, e.Message);
            return;
        }
        var hooks = new HookRunner(next.Hooks, _log);
        hooks.Run("on_reload", h => h.OnReload(this));
        long deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * (long)Math.Max(30, next.Settings.Timeout);
        _reloading = new PendingReload(++_lastGeneration, next, hooks, listeners, deadline);
        ReloadStarted(_log, _reloading.Generation, next.Settings.Workers);
    }

    /// <summary>Commits a reload once every new worker accepts, or gives it up when one fails or time runs out.</summary>
    private void AdvanceReload()
    {
        if (_reloading is not { } pending)
            return;
        var fresh = _workers.Values.Where(w => w.Generation == pending.Generation && !w.Retiring).ToList();
        if (fresh.Count >= pending.Next.Settings.Workers && fresh.All(w => w.Booted))
        {
            var old = _workers.Values.Where(w => w.Generation != pending.Generation && !w.Retiring).ToList();
            _listeners?.CloseExcept(pending.Listeners);
            _listeners = pending.Listeners;
            var replaced = _current;
            _current = pending.Next;
            _hooks = pending.Hooks;
            _generation = pending.Generation;
            _reloading = null;
            ChangeTarget(_current.Settings.Workers);
            foreach (var w in old)
                Retire(w);
            ReloadCompleted(_log, pending.Generation, string.Join(", ", fresh.Select(w => w.Pid)), old.Count);
            Release(replaced);
        }
        else if (Stopwatch.GetTimestamp() > pending.Deadline)
        {
            AbandonReload($"the new workers did not boot within {Math.Max(30, pending.Next.Settings.Timeout)}s");
        }
    }

    private void AbandonReload(string reason)
    {
        if (_reloading is not { } pending)
            return;
        _reloading = null;
        foreach (var w in _workers.Values.Where(w => w.Generation == pending.Generation))
            Retire(w);
        pending.Listeners.CloseExcept(_listeners);
        ReloadFailed(_log, _workers.Values.Count(w => w.Generation != pending.Generation), reason);
        Release(pending.Next);
    }

    /// <summary>
    /// Lets go of a generation nothing will run again: its app's assemblies (loaded anew at every HUP) are unloaded,
    /// and a collection runs now, as reloads are rare and the master allocates too little to start one soon.
    /// </summary>
    private static void Release(ServerGeneration generation)
    {
        generation.UnloadApp?.Invoke();
        GC.Collect();
    }

    private void Retire(WorkerProcess worker)
    {
        if (worker.Retiring)
            return;
        worker.Retiring = true;
        worker.RetiredAt = Stopwatch.GetTimestamp();
        SendTo(worker, Signals.SIGTERM);
    }

    private void Reap(ArbiterEvent.WorkerExited exited)
    {
        var process = exited.Process;
        int pid = process.Id;
        if (!_workers.TryGetValue(pid, out var worker))
            return;
        if (!exited.ReportsRead && worker.Reports is { IsCompleted: false } reports)
        {
            // Its last reports (booted, error, stopping) may still be unread: they decide what its exit means. The
            // reader ends at once, at the end of the socket the exit closed; bounded all the same.
            worker.Exited = true;
            _ = reports.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(
                _ => _events.Writer.TryWrite(exited with { ReportsRead = true }), TaskScheduler.Default);
            return;
        }
        _workers.Remove(pid);
        int code = process.ExitCode;
        worker.ExitCode = code;
        worker.Control.Dispose();
        _board.Release(worker.Slot);
        process.Dispose();
        LogExit(worker, code);
        _hooks.Run("child_exit", h => h.ChildExit(this, worker.Info));

        if (worker.Booted || _stop is not null)
            return;
        if (code is (int)WorkerExitCode.BootError or (int)WorkerExitCode.AppLoadError)
        {
            string reason = worker.BootError ?? ExitedBeforeBoot(code);
            if (_reloading is { } pending && worker.Generation == pending.Generation)
                AbandonReload($"new worker {pid} failed to boot: {reason}");
            else if (!_everBooted)
                throw new HaltServerException($"Worker (pid: {pid}) failed to boot: {reason}", code);
            else
                DelayRespawn();
        }
    }

    private void LogExit(WorkerProcess worker, int code)
    {
        bool asked = worker.Retiring || _stop is not null;
        if (code > 128)
        {
            int signal = code - 128;
            if (signal == Signals.SIGKILL && worker.KilledBecause is { } why)
                WorkerKilledByMaster(_log, worker.Pid, why);
            else if (signal == Signals.SIGKILL)
                WorkerKilledPerhapsOom(_log, worker.Pid);
            else if (signal is Signals.SIGTERM or Signals.SIGQUIT or Signals.SIGINT && asked)
                WorkerStoppedBeforeBoot(_log, worker.Pid, Signals.Name(signal).ToUpperInvariant()); // asked by us, before its handlers were set
            else
                WorkerSignaled(_log, worker.Pid, Signals.Name(signal).ToUpperInvariant());
        }
        else if (code is (int)WorkerExitCode.BootError or (int)WorkerExitCode.AppLoadError && !worker.Booted)
            WorkerBootFailed(_log, worker.Pid, worker.BootError ?? ExitedBeforeBoot(code));
        else if (code != 0 && worker.Booted)
            WorkerExitedAfterBoot(_log, worker.Pid, code);
        else if (code != 0)
            WorkerExitedWithCode(_log, worker.Pid, code);
        else if (asked)
            WorkerExitedCleanly(_log, worker.Pid);
        else if (worker.StopReason is { } reason)
            WorkerExitedOnItsOwn(_log, worker.Pid, reason);
        else
            WorkerExitedUnasked(_log, worker.Pid); // e.g. Environment.Exit(0) in a handler
    }

    /// <summary>The reason of a boot failure the worker did not report (it exited without a word: see the lines above).</summary>
    private static string ExitedBeforeBoot(int code) => $"it exited with code {code} before it booted, without a reason";

    /// <summary>Workers that keep failing to boot after the server was up are respawned with growing pauses.</summary>
    private void DelayRespawn()
    {
        _respawnBackoff = _respawnBackoff == TimeSpan.Zero ? TimeSpan.FromSeconds(1)
            : TimeSpan.FromTicks(Math.Min(MaxRespawnBackoff.Ticks, _respawnBackoff.Ticks * 2));
        _respawnNotBefore = Stopwatch.GetTimestamp() + (long)(_respawnBackoff.TotalSeconds * Stopwatch.Frequency);
        RespawnDelayed(_log, _respawnBackoff.TotalSeconds);
    }

    /// <summary>Signals a worker unless it already exited: a reaped pid may be another process's by now.</summary>
    private static void SendTo(WorkerProcess worker, int signal)
    {
        if (!worker.Exited)
            Signals.Send(worker.Pid, signal);
    }

    /// <summary>Two passes, as gunicorn: SIGABRT first so the worker can say where it was stuck, SIGKILL next.</summary>
    private void MurderSilentWorkers()
    {
        long now = Stopwatch.GetTimestamp();
        double timeout = _current.Settings.Timeout;
        foreach (var w in _workers.Values)
        {
            if (w.Exited)
                continue; // reaped, its last reports still being read: its pid may belong to another process already
            if (w.AbortedAt is long abortedAt)
            {
                if (Stopwatch.GetElapsedTime(abortedAt, now) >= PassInterval)
                {
                    WorkerKilledAfterAbort(_log, w.Pid);
                    w.KilledBecause ??= $"it was still alive {PassInterval.TotalSeconds:0}s after SIGABRT (timeout {timeout}s)";
                    SendTo(w, Signals.SIGKILL);
                    w.AbortedAt = now; // once a pass until it is reaped
                }
                continue;
            }
            if (w.Retiring && w.RetiredAt is long retiredAt
                && Stopwatch.GetElapsedTime(retiredAt, now).TotalSeconds > _current.Settings.GracefulTimeout + 1)
            {
                WorkerGracefulTimeout(_log, w.Pid, _current.Settings.GracefulTimeout);
                w.KilledBecause = $"graceful_timeout ({_current.Settings.GracefulTimeout}s) passed before it stopped";
                SendTo(w, Signals.SIGKILL);
                w.AbortedAt = now;
                continue;
            }
            if (timeout <= 0)
                continue;
            string? reason = null;
            var silence = Stopwatch.GetElapsedTime(w.LastHeartbeat, now);
            if (!w.Booted)
            {
                // Loading a .NET app takes seconds on a busy machine; a short timeout must not kill every boot.
                double allowance = Math.Max(timeout, BootAllowance.TotalSeconds);
                if (silence.TotalSeconds > allowance)
                    reason = $"did not boot within {allowance:0}s";
            }
            else if (silence.TotalSeconds > timeout)
                reason = $"no heartbeat for {silence.TotalSeconds:0.0}s";
            else if (w.OldestCall(now) is { } call && call.Age.TotalSeconds > timeout)
                reason = $"call '{call.Method}' running for {call.Age.TotalSeconds:0.0}s";
            if (reason is null)
                continue;
            WorkerTimeout(_log, w.Pid, reason, timeout);
            w.AbortedAt = now;
            SendTo(w, Signals.SIGABRT);
        }
    }

    private void ManageWorkers()
    {
        if (_stop is not null || _listeners is null)
            return;
        MaintainGeneration(_generation, _target, _current, _listeners);
        if (_reloading is { } pending)
            MaintainGeneration(pending.Generation, pending.Next.Settings.Workers, pending.Next, pending.Listeners);
    }

    private void MaintainGeneration(int generation, int target, ServerGeneration config, ListenerSet listeners)
    {
        // Counted without a list: this runs on every pass of the loop, and the master must not allocate per pass.
        int active = 0, booted = 0;
        bool replacing = false;
        foreach (var w in _workers.Values)
        {
            if (w.Generation != generation || w.Retiring)
                continue;
            if (w.ReplaceReason is not null)
            {
                replacing = true;
                continue;
            }
            active++;
            if (w.Booted)
                booted++;
        }
        if (replacing && booted >= target)
            RetireReplaced(generation);
        if (active > target)
        {
            var oldest = _workers.Values.Where(w => w.Generation == generation && !w.Retiring && w.ReplaceReason is null)
                .OrderBy(w => w.Age).Take(active - target).ToList();
            foreach (var w in oldest)
                Retire(w); // the oldest first, as gunicorn
            return;
        }
        if (active < target && Stopwatch.GetTimestamp() >= _respawnNotBefore)
        {
            for (int i = active; i < target; i++)
                SpawnWorker(generation, config, listeners);
        }
    }

    /// <summary>Spawn-first: workers that asked to be replaced retire once their replacements have booted.</summary>
    private void RetireReplaced(int generation)
    {
        foreach (var w in _workers.Values.Where(w => w.Generation == generation && !w.Retiring && w.ReplaceReason is not null).ToList())
        {
            WorkerReplaced(_log, w.Pid, w.ReplaceReason!);
            Retire(w);
        }
    }

    private void SpawnWorker(int generation, ServerGeneration config, ListenerSet listeners)
    {
        int age = ++_nextAge;
        var hooks = new HookRunner(config.Hooks, _log);
        hooks.Run("pre_fork", h => h.PreFork(this, new WorkerInfo(0, age)));
        int slot = FreeBoardSlot();
        _board.Assign(slot, -1);
        WorkerProcess worker;
        try
        {
            worker = _spawner.Spawn(config.Settings, config.SerializedSettings, listeners, _board, slot, age, generation,
                (sender, _) => _events.Writer.TryWrite(new ArbiterEvent.WorkerExited((Process)sender!)));
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException or InteropException)
        {
            _board.Release(slot);
            if (!_everBooted)
                throw new HaltServerException($"cannot start a worker process: {e.Message}", 1);
            SpawnFailed(_log, e.Message);
            DelayRespawn();
            return;
        }
        _workers[worker.Pid] = worker;
        _board.SetPid(slot, worker.Pid);
        BootingWorker(_log, worker.Pid);
        worker.Reports = worker.ReadReportsAsync(OnReport, _shutdown.Token);
    }

    private int FreeBoardSlot()
    {
        var used = _workers.Values.Select(w => w.Slot).ToHashSet();
        for (int i = 0; i < ConnectionBoard.Slots; i++)
        {
            if (!used.Contains(i))
                return i;
        }
        throw new HaltServerException($"more than {ConnectionBoard.Slots} worker processes", 1);
    }

    private void OnReport(WorkerProcess worker, WorkerReport report)
    {
        if (report.Kind == WorkerReportKind.Heartbeat)
        {
            worker.OnHeartbeat(report, Stopwatch.GetTimestamp());
            return;
        }
        // Before the arbiter sees it booted, or it would measure the silence since the spawn.
        worker.Touch(Stopwatch.GetTimestamp());
        _events.Writer.TryWrite(new ArbiterEvent.WorkerReported(worker, report));
    }

    private async Task<int> StopAsync(StopKind kind)
    {
        ShuttingDown(_log, kind == StopKind.Graceful ? "graceful" : "quick");
        await DeregisterAsync();
        // Stop accepting in the master first; workers drop their copies as they stop.
        _listeners?.Dispose();
        _listeners = null;
        _reloading?.Listeners.Dispose();
        var grace = TimeSpan.FromSeconds(_current.Settings.GracefulTimeout);
        await StopWorkersAsync(kind == StopKind.Graceful ? Signals.SIGTERM : Signals.SIGQUIT, grace);
        Cleanup();
        await _registry.DisposeAsync();
        return 0;
    }

    /// <summary>Signals every worker, reaps them as they exit, and kills what is left at the deadline.</summary>
    private async Task StopWorkersAsync(int signal, TimeSpan grace)
    {
        foreach (var w in _workers.Values)
            SendTo(w, signal);
        long deadline = Stopwatch.GetTimestamp() + (long)(grace.TotalSeconds * Stopwatch.Frequency);
        bool killed = false;
        while (_workers.Count > 0)
        {
            long now = Stopwatch.GetTimestamp();
            if (now >= deadline)
            {
                if (killed)
                    break;
                foreach (var w in _workers.Values)
                {
                    WorkerGracefulTimeout(_log, w.Pid, grace.TotalSeconds);
                    w.KilledBecause = $"graceful_timeout ({grace.TotalSeconds}s) passed before it stopped";
                    SendTo(w, Signals.SIGKILL);
                }
                killed = true;
                deadline = now + 5 * Stopwatch.Frequency;
            }
            foreach (var ev in await NextEventsAsync(TimeSpan.FromMilliseconds(200)))
            {
                if (ev is ArbiterEvent.WorkerExited e)
                    Reap(e);
                else if (ev is ArbiterEvent.SignalReceived { Signal: Signals.SIGINT or Signals.SIGQUIT } && signal == Signals.SIGTERM)
                {
                    signal = Signals.SIGQUIT;
                    foreach (var w in _workers.Values)
                        SendTo(w, Signals.SIGQUIT);
                }
            }
        }
    }

    /// <summary>Clients must move away before workers drain: deregister first, bounded so a dead registry cannot hold the stop.</summary>
    private async Task DeregisterAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Clamp(_current.Settings.GracefulTimeout / 3, 1, 5)));
        try
        {
            await _registry.DeregisterAsync(bound.Token);
        }
        catch (Exception e)
        {
            DeregisterFailed(_log, e.Message);
        }
    }

    private void Cleanup()
    {
        _passTimer?.Dispose();
        _shutdown.Cancel();
        _listeners?.Dispose();
        _pidfile?.Remove(Pid);
        _hooks.Run("on_exit", h => h.OnExit(this));
        foreach (var registration in _signalRegistrations)
            registration.Dispose();
        MasterExiting(_log);
    }

    private sealed record PendingReload(int Generation, ServerGeneration Next, HookRunner Hooks, ListenerSet Listeners, long Deadline);
}
