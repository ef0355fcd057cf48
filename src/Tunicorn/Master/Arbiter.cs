using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Tunicorn.Config;
using Tunicorn.Hooks;
using Tunicorn.Interop;
using Tunicorn.Registry;
using Tunicorn.Systemd;
using Tunicorn.Worker;
using Tunicorn.WorkerContract;

namespace Tunicorn.Master;

/// <summary>
/// The master process: owns the listeners, keeps the target number of healthy workers, and acts on signals.
/// One loop (<see cref="RunAsync"/>): wait for events (a timer adds one every second), then one <see cref="RunPass"/>:
/// dispatch each event, take in the heartbeats, murder silent workers, advance a pending reload and manage the worker
/// count. Signal handlers, exit callbacks and report readers only enqueue; all state changes happen on the loop. Time
/// comes from a <see cref="TimeProvider"/> and processes are reached through <see cref="IProcessControl"/>, so tests
/// drive these decisions without processes or sleeps. A pass allocates nothing, nor does a heartbeat: an idle master
/// does not grow.
/// </summary>
internal sealed partial class Arbiter : IArbiterContext
{
    private static readonly TimeSpan PassInterval = TimeSpan.FromSeconds(1);

    /// <summary>Tries to bind an address in use at start-up, and the pause between them: gunicorn's 5 tries, 1 s apart.</summary>
    private const int BindTries = 5;
    private static readonly TimeSpan BindPause = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRespawnBackoff = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The least time a new worker is given to boot, however short <c>timeout</c>: loading a .NET app takes seconds on a
    /// busy machine. A worker silent past it is murdered, and a reload whose workers are not all up by then is given up.
    /// </summary>
    internal static readonly TimeSpan BootAllowance = TimeSpan.FromSeconds(30);

    /// <summary>How long a reaped worker's last reports are waited for before its exit is judged without them.</summary>
    private static readonly TimeSpan LastReportsWait = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Heartbeats waiting for the next pass. Bounded, dropping the oldest: a newer heartbeat says all an older one did,
    /// and a bounded channel reuses its buffer, so that heartbeats cost the master no allocation.
    /// </summary>
    private const int HeartbeatQueueLength = 4096;

    private readonly Channel<ArbiterEvent> _events = Channel.CreateUnbounded<ArbiterEvent>(new() { SingleReader = true });
    private readonly Channel<(WorkerProcess Worker, WorkerHeartbeat Heartbeat)> _heartbeats =
        Channel.CreateBounded<(WorkerProcess, WorkerHeartbeat)>(new BoundedChannelOptions(HeartbeatQueueLength)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        });
    private readonly Dictionary<int, WorkerProcess> _workers = [];
    private readonly ConnectionBoard _board = ConnectionBoard.Create();
    private readonly ConnectionRelay _relay;
    private readonly WorkerRecycler _recycler;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly GenerationLoader _reload;
    private readonly IProcessControl _processes;
    private readonly TimeProvider _time;
    private readonly ReloadState _reloads;
    private readonly RollingReload _rolling;
    private readonly BackgroundTasks _tasks;
    private readonly Action _reopenLogs;
    private readonly IServiceRegistry _registry;
    private readonly string? _advertiseHost;
    private readonly ILogger _log;

    private ServerGeneration _current;
    private HookRunner _hooks;
    private ListenerSet? _listeners;
    private Pidfile? _pidfile;
    private IDisposable? _signalTraps;
    private int _target;
    private int _nextAge;
    private bool _everBooted;
    private StopKind? _stop;
    private TimeSpan _respawnBackoff;
    private TimeSpan _respawnPause;
    private long _respawnPausedAt;
    private ITimer? _passTimer;
    private ServiceManagerReports? _serviceManager;
    private ITimer? _watchdogTimer;

    public Arbiter(ServerGeneration initial, GenerationLoader reload, IProcessControl processes, ILoggerFactory loggerFactory, Action reopenLogs,
        IServiceRegistry? registry = null, string? advertiseHost = null, TimeProvider? time = null)
    {
        _registry = registry ?? new NoServiceRegistry();
        _advertiseHost = advertiseHost;
        _current = initial;
        _reload = reload;
        _processes = processes;
        _time = time ?? TimeProvider.System;
        _reloads = new ReloadState(_time);
        _reopenLogs = reopenLogs;
        _log = loggerFactory.CreateLogger("tunicorn.master");
        _tasks = new BackgroundTasks(_log);
        _relay = new ConnectionRelay(_board, _log);
        _recycler = new WorkerRecycler(_time, _log);
        _rolling = new RollingReload(_log);
        _hooks = new HookRunner(initial.Hooks, _log);
        _target = initial.Settings.Workers;
    }

    private enum StopKind { Graceful, Quick }

    /// <summary>Called once the listeners are bound and the pidfile written, before any worker starts (the daemon setting reports then).</summary>
    public Action? Listening { get; init; }

    /// <summary>systemd's notification socket (NOTIFY_SOCKET), when the master runs under systemd with Type=notify or notify-reload.</summary>
    public IServiceNotifier? ServiceNotifier { get; init; }

    /// <summary>The listening sockets systemd passed (socket activation): listeners without a bind of their own.</summary>
    public IReadOnlyList<ActivatedSocket> ActivatedSockets { get; init; } = [];

    public int Pid => Environment.ProcessId;
    public Settings Settings => _current.Settings;
    public int TargetWorkers => _target;
    public ILogger Log => _log;

    /// <summary>The workers the arbiter holds, by pid (tests read it; only the loop changes it).</summary>
    internal IReadOnlyDictionary<int, WorkerProcess> Workers => _workers;

    /// <summary>The generation that serves and the reload pending, if any.</summary>
    internal ReloadState Reloads => _reloads;

    /// <summary>The least time a worker of <paramref name="settings"/> has to boot: <see cref="BootAllowance"/>, or <c>timeout</c> when longer.</summary>
    internal static TimeSpan BootAllowanceFor(Settings settings) =>
        settings.Timeout > BootAllowance.TotalSeconds ? TimeSpan.FromSeconds(settings.Timeout) : BootAllowance;

    /// <summary>Runs the master until it is stopped; returns the process exit code.</summary>
    public async Task<int> RunAsync()
    {
        try
        {
            await StartAsync();
            while (_stop is null)
            {
                // Without a token the channel reuses one waiter, and this method's await reuses its state: no garbage
                // a pass (a timeout token each second was most of what a steady master allocated).
                if (!_events.Reader.TryPeek(out _))
                    await _events.Reader.WaitToReadAsync();
                RunPass();
            }
            return await StopAsync(_stop.Value);
        }
        catch (HaltServerException halt)
        {
            return await HaltAsync(halt);
        }
    }

    /// <summary>
    /// Binds, writes the pidfile, traps the master's signals and starts the first workers: what <see cref="RunAsync"/>
    /// does before its loop. Throws <see cref="HaltServerException"/> when the master cannot serve.
    /// </summary>
    internal async Task StartAsync()
    {
        var settings = _current.Settings;
        Starting(_log, typeof(Arbiter).Assembly.GetName().Version?.ToString(3) ?? "?");
        _hooks.Run("on_starting", h => h.OnStarting(this));

        _processes.MarkInheritedCloseOnExec();
        try
        {
            _listeners = await ListenerSet.BindAsync(settings.Bind, settings.Backlog, settings.ReusePort, BindTries, BindPause,
                (e, attempt) => ConnectionInUse(_log, e.Bind, attempt, BindTries, BindPause.TotalSeconds), activated: ActivatedSockets);
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
        if (UpgradeParentPid is int parent)
            StartedByUpgrade(_log, parent);
        UsingWorker(_log, settings.WorkerClass.ToString().ToLowerInvariant());

        _signalTraps = _processes.TrapSignals([Signals.SIGTERM, Signals.SIGINT, Signals.SIGQUIT, Signals.SIGHUP, Signals.SIGTTIN,
            Signals.SIGTTOU, Signals.SIGUSR1, Signals.SIGUSR2, Signals.SIGWINCH], signal => Post(new ArbiterEvent.SignalReceived(signal)));
        Listening?.Invoke();
        StartControlSocket(settings);
        StartMetrics(settings);

        ManageWorkers();
        _hooks.Run("when_ready", h => h.WhenReady(this));
        _hooks.Run("nworkers_changed", h => h.NWorkersChanged(this, _target, null));
        _passTimer = _time.CreateTimer(_ => Post(ArbiterEvent.PassDue.Instance), null, PassInterval, PassInterval);
        if (ServiceNotifier is not null)
        {
            _serviceManager = new ServiceManagerReports(ServiceNotifier, Pid);
            // Pinged from the loop, not from the timer's thread: a stuck loop must stop the pings so that systemd acts.
            if (_serviceManager.WatchdogInterval is { } every)
                _watchdogTimer = _time.CreateTimer(_ => Post(ArbiterEvent.WatchdogDue.Instance), null, every, every);
        }
    }

    /// <summary>One pass of the loop over what has arrived. Throws <see cref="HaltServerException"/> when the master must stop.</summary>
    internal void RunPass()
    {
        while (_events.Reader.TryRead(out var ev))
            Dispatch(ev);
        while (_heartbeats.Reader.TryRead(out var beat))
            beat.Worker.OnHeartbeat(beat.Heartbeat);
        MurderSilentWorkers();
        _recycler.Check(_workers.Values, _current.Settings, _reloads.Serving, _rolling.Stranded);
        AdvanceReload();
        ManageWorkers();
        if (_serviceManager is not null)
            ReportServing(_serviceManager);
    }

    /// <summary>Tells systemd how many workers of the serving generation accept.</summary>
    private void ReportServing(ServiceManagerReports serviceManager) => serviceManager.Serving(ServingWorkers(), _target, _reloads.Serving);

    /// <summary>Workers of the serving generation that accept; counted without a list, as every pass does.</summary>
    private int ServingWorkers()
    {
        int booted = 0;
        foreach (var w in _workers.Values)
        {
            if (w.Generation == _reloads.Serving && w.Booted && !w.Retiring && !w.Exited)
                booted++;
        }
        return booted;
    }

    /// <summary>The master cannot go on (gunicorn's HaltServer): stops the workers quickly and returns the exit code.</summary>
    internal async Task<int> HaltAsync(HaltServerException halt)
    {
        Halting(_log, halt.Message);
        _stopping = true;
        _serviceManager?.Stopping($"halting: {halt.Message}");
        _stop = StopKind.Quick; // workers that fail while we stop must not halt us a second time
        _relay.ServerStopping();
        await DeregisterAsync();
        await StopWorkersAsync(Signals.SIGQUIT, TimeSpan.FromSeconds(5));
        await CleanupAsync();
        await _registry.DisposeAsync();
        return halt.ExitCode;
    }

    private void Post(ArbiterEvent ev) => _events.Writer.TryWrite(ev);

    private async Task<List<ArbiterEvent>> NextEventsAsync(TimeSpan wait)
    {
        var batch = new List<ArbiterEvent>();
        if (!_events.Reader.TryPeek(out _))
        {
            using var timeout = new CancellationTokenSource(wait, _time);
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
        if (ev is ArbiterEvent.WorkerReported report)
            report.Worker.Seen(report.ReceivedAt); // before the boot below, or the silence would be measured from the spawn
        switch (ev)
        {
            case ArbiterEvent.SignalReceived s:
                HandleSignal(s.Signal);
                break;
            case ArbiterEvent.WorkerExited e:
                Reap(e);
                break;
            case ArbiterEvent.WatchdogDue:
                _serviceManager?.Watchdog();
                break;
            case ArbiterEvent.ControlRequested c:
                c.Reply.TrySetResult(AnswerControl(c.Request, c.ClientPid));
                break;
            case ArbiterEvent.UpgradeExited u:
                OnUpgradeExited(u);
                break;
            case ArbiterEvent.WorkerReported { Report.Kind: WorkerReportKind.Booted } r:
                r.Worker.Booted = true;
                if (!_everBooted && _listeners is not null)
                {
                    // Announce only once a worker accepts; the registry keeps the entries alive on its own.
                    _tasks.Track("starting the service registry",
                        _registry.StartAsync(ServiceEndpoint.FromListeners(_listeners.Names, _advertiseHost), _shutdown.Token));
                    _registryState = "registered";
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
            case Signals.SIGTERM:
                StopGracefully("stopping gracefully (TERM)");
                break;
            case Signals.SIGINT or Signals.SIGQUIT:
                StopQuickly($"stopping quickly ({Signals.Name(signal).ToUpperInvariant()})");
                break;
            case Signals.SIGHUP: HandleHupOrRestore(); break;
            case Signals.SIGTTIN: ChangeTarget(_target + 1); break;
            case Signals.SIGTTOU: ChangeTarget(Math.Max(1, _target - 1)); break;
            case Signals.SIGUSR1: HandleUsr1(); break;
            case Signals.SIGUSR2: StartUpgrade("USR2"); break;
            case Signals.SIGWINCH: HandleWinch(); break;
        }
    }

    private void StopGracefully(string how)
    {
        _stop ??= StopKind.Graceful;
        _stopping = true;
        _serviceManager?.Stopping(how);
    }

    private void StopQuickly(string how)
    {
        _stop = StopKind.Quick;
        _stopping = true;
        _serviceManager?.Stopping(how);
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
        if (_reloads.Pending is { } inProgress)
        {
            ReloadInProgress(_log, inProgress.Generation);
            return;
        }
        _serviceManager?.Reloading();
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
            _metrics?.ReloadFinished(ok: false);
            _serviceManager?.ReloadFailed(_reloads.Serving, e.Message);
            return;
        }
        var hooks = new HookRunner(next.Hooks, _log);
        hooks.Run("on_reload", h => h.OnReload(this));
        var pending = _reloads.Begin(next, hooks, listeners, BootAllowanceFor(next.Settings));
        if (next.Settings.ReloadStrategy == ReloadStrategy.Rolling)
            _rolling.Start(pending.Generation, next.Settings.Workers, next.Settings.MaxSurge);
        else
            ReloadStarted(_log, pending.Generation, next.Settings.Workers);
    }

    /// <summary>Commits a reload once every new worker accepts, or gives it up when time runs out (a failed boot gives it up in <see cref="Reap"/>).</summary>
    private void AdvanceReload()
    {
        if (_reloads.Pending is not { } pending)
            return; // no enumeration (and no allocation) on the passes of a steady master
        if (_rolling.Advance(_workers.Values, _target, Retire))
            _reloads.RestartClock(); // each step of a rollout has the boot allowance
        switch (_reloads.Advance(_workers.Values))
        {
            case ReloadState.Step.Ready:
                CommitReload();
                break;
            case ReloadState.Step.Expired:
                AbandonReload($"the new workers did not boot within {pending.Allowance.TotalSeconds}s");
                break;
        }
    }

    private void CommitReload()
    {
        var pending = _reloads.Commit();
        _rolling.Committed();
        var fresh = _workers.Values.Where(w => w.Generation == pending.Generation && !w.Retiring).ToList();
        var old = _workers.Values.Where(w => w.Generation != pending.Generation && !w.Retiring).ToList();
        _listeners?.CloseExcept(pending.Listeners);
        _listeners = pending.Listeners;
        var replaced = _current;
        _current = pending.Next;
        _hooks = pending.Hooks;
        ChangeTarget(_current.Settings.Workers);
        foreach (var w in old)
            Retire(w);
        ReloadCompleted(_log, pending.Generation, string.Join(", ", fresh.Select(w => w.Pid)), old.Count);
        _metrics?.ReloadFinished(ok: true);
        _serviceManager?.Reloaded(fresh.Count, pending.Generation);
        Release(replaced);
    }

    private void AbandonReload(string reason)
    {
        if (_reloads.Abandon() is not { } pending)
            return;
        // A stopped rollout keeps the new workers that accept: they serve next to the old ones until the next reload.
        bool rolling = _rolling.Stop(pending.Generation);
        foreach (var w in _workers.Values.Where(w => w.Generation == pending.Generation && !(rolling && w.Booted)))
            Retire(w);
        pending.Listeners.CloseExcept(_listeners);
        if (rolling)
        {
            RolloutStopped(_log, pending.Generation, reason, _workers.Values.Count(w => w.Generation != pending.Generation && !w.Retiring),
                _workers.Values.Count(w => w.Generation == pending.Generation && !w.Retiring));
        }
        else
            ReloadFailed(_log, _workers.Values.Count(w => w.Generation != pending.Generation), reason);
        _metrics?.ReloadFinished(ok: false);
        _serviceManager?.ReloadFailed(_reloads.Serving, reason);
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
        worker.RetiredAt = _time.GetTimestamp();
        _relay.Retiring(worker.Slot);
        SendTo(worker, Signals.SIGTERM);
    }

    private void Reap(ArbiterEvent.WorkerExited exited)
    {
        int pid = exited.Pid;
        if (!_workers.TryGetValue(pid, out var worker))
            return;
        if (!exited.ReportsRead)
        {
            // Its last reports (booted, error, stopping) decide what its exit means, and they may still be unread or
            // queued behind this event: the exit is posted again once the reader is done, so it comes after them. The
            // reader ends at once, at the end of the socket the exit closed; bounded all the same.
            worker.Exited = true;
            _tasks.Track($"waiting for the last reports of worker {pid}", PostExitOnceReportsReadAsync(worker.Reports, exited));
            return;
        }
        _workers.Remove(pid);
        int code = exited.ExitCode;
        worker.ExitCode = code;
        _relay.Remove(worker.Slot);
        worker.Link.Dispose();
        _board.Release(worker.Slot);
        _metrics?.Retire(worker.Slot, ExitReasonOf(worker, code));
        LogExit(worker, code);
        _hooks.Run("child_exit", h => h.ChildExit(this, worker.Info));

        if (worker.Booted || _stop is not null)
            return;
        if (code is (int)WorkerExitCode.BootError or (int)WorkerExitCode.AppLoadError)
        {
            string reason = worker.BootError ?? ExitedBeforeBoot(code);
            if (_reloads.Pending is { } pending && worker.Generation == pending.Generation)
                AbandonReload($"new worker {pid} failed to boot: {reason}");
            else if (!_everBooted)
                throw new HaltServerException($"Worker (pid: {pid}) failed to boot: {reason}", code);
            else
                DelayRespawn();
        }
    }

    private async Task PostExitOnceReportsReadAsync(Task? reports, ArbiterEvent.WorkerExited exited)
    {
        try
        {
            if (reports is not null)
                await reports.WaitAsync(LastReportsWait, _time);
        }
        catch (TimeoutException)
        {
            // The reader is stuck: the exit is judged without its last reports.
        }
        catch (Exception) when (reports is { IsFaulted: true })
        {
            // The reader failed, which its own tracking logged.
        }
        finally
        {
            Post(exited with { ReportsRead = true });
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
        _respawnPause = _respawnBackoff;
        _respawnPausedAt = _time.GetTimestamp();
        RespawnDelayed(_log, _respawnBackoff.TotalSeconds);
    }

    /// <summary>Signals a worker unless it already exited: a reaped pid may be another process's by now.</summary>
    private void SendTo(WorkerProcess worker, int signal)
    {
        if (!worker.Exited)
            _processes.Send(worker.Pid, signal);
    }

    /// <summary>Two passes, as gunicorn: SIGABRT first so the worker can say where it was stuck, SIGKILL next.</summary>
    private void MurderSilentWorkers()
    {
        long now = _time.GetTimestamp();
        double timeout = _current.Settings.Timeout;
        foreach (var w in _workers.Values)
        {
            if (w.Exited)
                continue; // reaped, its last reports still being read: its pid may belong to another process already
            if (w.AbortedAt is long abortedAt)
            {
                if (_time.GetElapsedTime(abortedAt, now) >= PassInterval)
                {
                    WorkerKilledAfterAbort(_log, w.Pid);
                    w.KilledBecause ??= $"it was still alive {PassInterval.TotalSeconds:0}s after SIGABRT (timeout {timeout}s)";
                    SendTo(w, Signals.SIGKILL);
                    w.AbortedAt = now; // once a pass until it is reaped
                }
                continue;
            }
            if (w.Retiring && w.RetiredAt is long retiredAt
                && _time.GetElapsedTime(retiredAt, now).TotalSeconds > _current.Settings.GracefulTimeout + 1)
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
            var silence = _time.GetElapsedTime(w.LastSeen, now);
            if (!w.Booted)
            {
                var allowance = BootAllowanceFor(_current.Settings);
                if (silence > allowance)
                    reason = $"did not boot within {allowance.TotalSeconds:0}s";
            }
            else if (silence.TotalSeconds > timeout)
                reason = $"no heartbeat for {silence.TotalSeconds:0.0}s";
            else if (w.Heartbeat is { } beat && beat.OldestCallAge(_time.GetElapsedTime(beat.ReceivedAt, now)) is { } age && age.TotalSeconds > timeout)
                reason = $"call '{beat.OldestCallMethod}' running for {age.TotalSeconds:0.0}s";
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
        int servingTarget = _rolling.ServingTarget(_workers.Values, _reloads.Serving, _target);
        MaintainGeneration(_reloads.Serving, servingTarget, _current, _listeners);
        _rolling.RetireReplacedStranded(_workers.Values, _reloads.Serving, servingTarget, Retire);
        if (_reloads.Pending is { } pending)
            MaintainGeneration(pending.Generation, _rolling.Active ? _rolling.NewTarget : pending.Next.Settings.Workers, pending.Next, pending.Listeners);
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
        if (active < target && _time.GetElapsedTime(_respawnPausedAt) >= _respawnPause)
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
        _metrics?.Assign(slot, -1);
        IWorkerLink link;
        try
        {
            link = _processes.Spawn(new WorkerLaunch(config.Settings, config.SerializedSettings, listeners, _board, slot, age, generation),
                (pid, code) => Post(new ArbiterEvent.WorkerExited(pid, code)));
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException or InteropException)
        {
            _board.Release(slot);
            _metrics?.Unassign(slot);
            if (!_everBooted)
                throw new HaltServerException($"cannot start a worker process: {e.Message}", 1);
            SpawnFailed(_log, e.Message);
            DelayRespawn();
            return;
        }
        var worker = new WorkerProcess(link, slot, age, generation, _time.GetTimestamp());
        _workers[worker.Pid] = worker;
        _board.SetPid(slot, worker.Pid);
        _relay.Add(slot, worker.Pid, link.HandOff);
        _metrics?.SetPid(slot, worker.Pid);
        BootingWorker(_log, worker.Pid);
        worker.Reports = _tasks.Track($"reading the reports of worker {worker.Pid}",
            link.ReadReportsAsync(report => OnReport(worker, report), _shutdown.Token));
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

    /// <summary>On the reader's thread: stamps the report and posts it to the loop; changes nothing itself.</summary>
    private void OnReport(WorkerProcess worker, WorkerReport report)
    {
        long now = _time.GetTimestamp();
        if (report.Kind == WorkerReportKind.Heartbeat)
            _heartbeats.Writer.TryWrite((worker, WorkerHeartbeat.From(report, now)));
        else
            Post(new ArbiterEvent.WorkerReported(worker, report, now));
    }

    private async Task<int> StopAsync(StopKind kind)
    {
        ShuttingDown(_log, kind == StopKind.Graceful ? "graceful" : "quick");
        _serviceManager?.Stopping(kind == StopKind.Graceful ? "stopping gracefully" : "stopping quickly");
        await DeregisterAsync();
        // Stop accepting in the master first; workers drop their copies as they stop.
        KeepSharedSocketFiles();
        _listeners?.Dispose();
        _listeners = null;
        _reloads.Pending?.Listeners.Dispose();
        _relay.ServerStopping();
        var grace = TimeSpan.FromSeconds(_current.Settings.GracefulTimeout);
        await StopWorkersAsync(kind == StopKind.Graceful ? Signals.SIGTERM : Signals.SIGQUIT, grace);
        await CleanupAsync();
        await _registry.DisposeAsync();
        return 0;
    }

    /// <summary>Signals every worker, reaps them as they exit, and kills what is left at the deadline.</summary>
    private async Task StopWorkersAsync(int signal, TimeSpan grace)
    {
        foreach (var w in _workers.Values)
            SendTo(w, signal);
        long since = _time.GetTimestamp();
        var limit = grace;
        bool killed = false;
        while (_workers.Count > 0)
        {
            if (_time.GetElapsedTime(since) >= limit)
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
                since = _time.GetTimestamp();
                limit = TimeSpan.FromSeconds(5);
            }
            foreach (var ev in await NextEventsAsync(TimeSpan.FromMilliseconds(200)))
            {
                if (ev is ArbiterEvent.WorkerExited e)
                    Reap(e);
                else if (ev is ArbiterEvent.WatchdogDue)
                    _serviceManager?.Watchdog(); // a long graceful stop must not look like a hang to systemd
                else if (ev is ArbiterEvent.ControlRequested c)
                    c.Reply.TrySetResult(Control.ControlReply.Failed("the server is stopping"));
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
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Clamp(_current.Settings.GracefulTimeout / 3, 1, 5)), _time);
        try
        {
            await _registry.DeregisterAsync(bound.Token);
            _registryState = "deregistered";
        }
        catch (Exception e)
        {
            DeregisterFailed(_log, e.Message);
        }
    }

    private async Task CleanupAsync()
    {
        _passTimer?.Dispose();
        _watchdogTimer?.Dispose();
        _control?.Dispose();
        _relay.Dispose();
        _shutdown.Cancel();
        KeepSharedSocketFiles();
        _listeners?.Dispose();
        _pidfile?.Remove(Pid);
        _hooks.Run("on_exit", h => h.OnExit(this));
        _signalTraps?.Dispose();
        // The report readers end with the cancellation: a failure of theirs is logged before the master says it exits.
        await _tasks.DrainAsync(LastReportsWait, _time);
        await StopAdminAsync();
        MasterExiting(_log);
    }
}
