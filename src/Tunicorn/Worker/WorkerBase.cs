using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Tunicorn.Config;
using Tunicorn.Hooks;
using Tunicorn.Interop;
using Tunicorn.IO;
using Tunicorn.Metrics;
using Tunicorn.Thrift;
using Tunicorn.WorkerContract;

namespace Tunicorn.Worker;

/// <summary>
/// A worker process's life: heartbeats to the master, signals, max_requests with jitter, hooks around every
/// call, and a graceful stop that closes connections only between calls. Worker classes decide only how many
/// connections are served at once (<see cref="ConnectionLimit"/>), how many of their calls run at once and where
/// (<see cref="CallsAtOnce"/>) and what the process needs first (<see cref="InitProcess"/>).
/// </summary>
/// <remarks>
/// Contract of the override points: the constructor only stores <see cref="WorkerOptions"/> and must not change
/// the process; <see cref="InitProcess"/> runs once before the first accept.
/// </remarks>
internal abstract partial class WorkerBase : IWorkerContext, IConnectionReporter
{
    /// <summary>How many more connections than the least loaded worker a worker may hold and still accept.</summary>
    private const int AcceptSlack = 1;
    private static readonly TimeSpan MaxAcceptDeferral = TimeSpan.FromMilliseconds(20);
    /// <summary>Heartbeats (each at most a second) to wait for the failed call to report a fatal failure itself.</summary>
    private const int FatalReportBeats = 5;
    /// <summary>At worker_connections: how often to look whether a client waits in the backlog.</summary>
    private static readonly TimeSpan AtLimitPoll = TimeSpan.FromMilliseconds(50);
    /// <summary>
    /// A connection idle for less is in use, only between two calls (a client pausing 20 ms between calls must keep its
    /// connection): it is not closed to admit another.
    /// </summary>
    private static readonly TimeSpan MinIdleToEvict = TimeSpan.FromSeconds(1);
    /// <summary>After closing an idle connection: how long its slot may take to free before another is closed.</summary>
    private static readonly TimeSpan EvictionSettle = TimeSpan.FromSeconds(1);
    /// <summary>Out of descriptors: retry accept this often even when none of this worker's connections closed.</summary>
    private static readonly TimeSpan DescriptorRetry = TimeSpan.FromMilliseconds(500);
    /// <summary>
    /// Descriptors kept free for the runtime beyond the connections. Measured (strace, .NET 10): a new thread opens
    /// files and a pipe while it starts, and loading an assembly opens its file; at the very limit these fail and the
    /// runtime dies with "Out of memory." (issue 11.3), so connections never take the last ones.
    /// </summary>
    private const int DescriptorHeadroom = 32;
    /// <summary>Lines about a condition that can recur many times a second: at most one per this interval.</summary>
    private static readonly TimeSpan RepeatedLogInterval = TimeSpan.FromSeconds(10);

    private readonly WorkerOptions _options;
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly CancellationTokenSource _abort = new();
    // Open connections, each with its call in flight: a write per call instead of a dictionary entry per call.
    private readonly ConcurrentDictionary<long, ConnectionInfo> _open = new();
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly List<PosixSignalRegistration> _signals = [];
    private readonly ManualResetEventSlim _heartbeatWake = new();
    private readonly HookRunner _hooks;
    private readonly bool _runCallHooks;
    private readonly long _maxRequests;
    private long _callsRead;
    private long _callsAnswered;
    private long _callsServed;
    private long _idleConnectionsClosed;
    private long _acceptsOutOfDescriptors;
    // Connections the open file limit leaves room for, when fewer than ConnectionLimit; 0: no such cap.
    private int _descriptorBudget;
    private int _connectionsOpen;
    // Released when a connection of this worker closes, freeing a descriptor: an accept paused for lack of one retries.
    private readonly SemaphoreSlim _connectionClosed = new(0, 1);
    private readonly LogInterval _descriptorsLog = new(RepeatedLogInterval);
    private readonly LogInterval _evictionLog = new(RepeatedLogInterval);
    private readonly LogInterval _allBusyLog = new(RepeatedLogInterval);
    private volatile string? _stopReason;
    private ReadinessLoop? _readinessLoop;
    // The hand-off channel with the master: this worker's connections leave through it when it retires, others' arrive.
    private WorkerHandOff? _handOff;
    // The accept loops' connection slots, which adopted connections take too.
    private SemaphoreSlim? _slots;
    // What every connection of this worker shares; built once the readiness loop exists.
    private ConnectionServices? _connectionServices;
    // The first failure after which the worker must be replaced (see IsFatal), and whether the master was told.
    private Exception? _fatal;
    private int _fatalReported;
    // Why this worker asked the master to replace it (spawn-first recycling), once asked.
    private string? _replacementReason;
    // Null with metrics_disable: then the call path skips the metrics altogether.
    private readonly WorkerMetrics? _metrics;

    protected WorkerBase(WorkerOptions options)
    {
        _options = options;
        _hooks = new HookRunner(options.Hooks, options.Log);
        _runCallHooks = !_hooks.IsDefault;
        // Drawn once per worker, as gunicorn: the jitter spreads the restarts of workers started together.
        _maxRequests = options.Settings.MaxRequests <= 0 ? 0
            : options.Settings.MaxRequests + Random.Shared.Next(0, Math.Max(0, options.Settings.MaxRequestsJitter) + 1);
        _metrics = options.Settings.MetricsDisable ? null
            : new WorkerMetrics(MetricsBoard.Of(options.Board), options.BoardSlot,
                options.App.ServiceNames.Count > 0 ? options.App.ServiceNames[0] : options.App.ServiceType.Name, MetricsBoard.PublishInterval);
    }

    public int Pid => Environment.ProcessId;
    public int Age => _options.Age;
    public Settings Settings => _options.Settings;
    public long CallsServed => Interlocked.Read(ref _callsServed);

    /// <summary>Idle connections closed to admit new ones at worker_connections (for the metrics to export).</summary>
    public long IdleConnectionsClosed => Interlocked.Read(ref _idleConnectionsClosed);

    /// <summary>Accepts refused because the process was out of file descriptors (EMFILE/ENFILE).</summary>
    public long AcceptsOutOfDescriptors => Interlocked.Read(ref _acceptsOutOfDescriptors);
    public ILogger Log => _options.Log;

    /// <summary>How many connections this worker serves at once; beyond it, connections wait in the listen backlog.</summary>
    protected abstract int ConnectionLimit { get; }

    /// <summary>What sets <see cref="ConnectionLimit"/>, for the log: the setting's name.</summary>
    protected virtual string ConnectionLimitName => "worker_connections";

    /// <summary>
    /// How many calls run at once, each on a call thread of the worker's <see cref="CallGate"/> where a handler may
    /// block, whatever the number of connections; null: every call runs where its bytes arrive, as many at once as
    /// arrive (async).
    /// </summary>
    protected virtual int? CallsAtOnce => null;

    /// <summary>Process-wide preparation for this class (thread pool sizing); runs once before the first accept.</summary>
    protected virtual void InitProcess() { }

    /// <summary>
    /// Threads of the worker's <see cref="ReadinessLoop"/>, which runs every plain (non-TLS) connection: how many start
    /// with the worker, and how many the loop may reach by adding threads while handlers block.
    /// </summary>
    protected virtual (int Initial, int Max) LoopThreads => (1, 1);

    /// <summary>How long every loop thread may be stuck in handlers before the loop starts another (up to the max).</summary>
    protected virtual TimeSpan LoopStallCheck => TimeSpan.FromMilliseconds(50);

    /// <summary>Serves until stopped; returns the process exit code.</summary>
    public async Task<int> RunAsync()
    {
        InitProcess();
        // The generated processor catches every exception of a handler and answers InternalError, so a handler's
        // OutOfMemoryException would leave the worker serving at the heap limit (PLATFORM-NOTES): watch for it as thrown.
        AppDomain.CurrentDomain.FirstChanceException += (_, e) =>
        {
            if (IsFatal(e.Exception))
                Interlocked.CompareExchange(ref _fatal, e.Exception, null);
        };
        // The call counters reach the board on a timer; an exit by Environment.Exit (SIGABRT, a fatal failure, a
        // handler) publishes the last of them too, so that only a SIGKILL loses any.
        if (_metrics is { } metrics)
            AppDomain.CurrentDomain.ProcessExit += (_, _) => metrics.Publish();
        var (initialThreads, maxThreads) = LoopThreads;
        _readinessLoop = new ReadinessLoop(initialThreads, maxThreads, LoopStallCheck, _options.LoggerFactory.CreateLogger<ReadinessLoop>());
        using var callGate = CallsAtOnce is { } callsAtOnce ? new CallGate(callsAtOnce, "tunicorn call") : null;
        if (callGate is not null)
            _abort.Token.Register(callGate.ReleaseAll);
        if (_options.HandOffChannel is { } channel)
            _handOff = new WorkerHandOff(channel, _options.Board, _options.BoardSlot, Log, Adopt);
        _connectionServices = new ConnectionServices
        {
            HandOff = Settings.Handoff ? _handOff : null,
            App = _options.App,
            Options = _options.Connection,
            Reporter = this,
            LoggerFactory = _options.LoggerFactory,
            StopBetweenCalls = _stopAccepting.Token,
            Abort = _abort.Token,
            ReadinessLoop = _readinessLoop,
            CallGate = callGate,
        };
        RegisterSignals();
        _hooks.Run("post_worker_init", h => h.PostWorkerInit(this));

        var heartbeat = new Thread(HeartbeatLoop) { IsBackground = true, Name = "tunicorn heartbeat" };
        heartbeat.Start();
        var slots = _slots = new SemaphoreSlim(ConnectionLimit, ConnectionLimit);
        // On the board before the master hears that this worker booted: the master then retires the workers this one
        // replaces, whose connections move only to workers the board shows accepting, with room (worker_connections).
        _options.Board.SetLimit(_options.BoardSlot, ConnectionLimit);
        _handOff?.Start();
        _options.Board.SetAccepting(_options.BoardSlot, true);
        Send(WorkerReport.Booted());

        WarnIfDescriptorLimitLow();
        await Task.WhenAll(_options.Listeners.Select(l => AcceptLoopAsync(l, slots)));
        await DrainAsync();
        _metrics?.Dispose();
        _readinessLoop?.Dispose();
        _handOff?.LogSummary(Pid);
        _handOff?.Dispose();

        Lines.WorkerExiting(Log, Pid, Interlocked.Read(ref _callsRead), Interlocked.Read(ref _callsAnswered), _stopReason ?? "stopped");
        _hooks.Run("worker_exit", h => h.WorkerExit(this));
        _heartbeatWake.Set();
        foreach (var s in _signals)
            s.Dispose();
        return (int)WorkerExitCode.Normal;
    }

    private async Task AcceptLoopAsync(Socket listener, SemaphoreSlim slots)
    {
        var stop = _stopAccepting.Token;
        while (!stop.IsCancellationRequested)
        {
            if (!slots.Wait(0) && !await WaitForSlotAsync(listener, slots, stop))
                return;
            if (_descriptorBudget > 0 && Volatile.Read(ref _connectionsOpen) >= _descriptorBudget)
            {
                // The open file limit, not worker_connections, is what bounds this worker: pause as on EMFILE, before
                // accept takes the descriptors the runtime needs to live.
                slots.Release();
                if (!await PauseForDescriptorsAsync(listener, "every descriptor the open file limit leaves for connections is in use", stop))
                    return;
                continue;
            }
            Socket client;
            try
            {
                await LetLessLoadedWorkersAcceptAsync(stop);
                client = await listener.AcceptAsync(stop);
            }
            catch (OperationCanceledException)
            {
                slots.Release();
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset or SocketError.Interrupted)
            {
                slots.Release();
                continue; // the client gave up before we accepted
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                // EMFILE/ENFILE (or no kernel memory for the socket): back-pressure, not a broken listener. The client
                // stays in the backlog; exiting would drop every connection this worker serves and not help it.
                slots.Release();
                if (!await PauseForDescriptorsAsync(listener, $"out of file descriptors ({e.SocketErrorCode}: {e.Message})", stop))
                    return;
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                slots.Release();
                Lines.AcceptFailed(Log, Pid, e.Message);
                BeginStop("the listener failed: " + e.Message);
                return;
            }
            if (client.AddressFamily != AddressFamily.Unix)
                client.NoDelay = true;
            Track(HandOverAsync(client, slots));
        }
    }

    /// <summary>
    /// At worker_connections: waits for a connection to close. Meanwhile, when a client waits in the backlog and no
    /// other worker has room for it, closes this worker's longest-idle connection between calls to admit it, as
    /// keep-alive servers do: otherwise idle pooled connections would hold every slot forever. False when stopping.
    /// </summary>
    private async Task<bool> WaitForSlotAsync(Socket listener, SemaphoreSlim slots, CancellationToken stop)
    {
        TimeSpan wait = AtLimitPoll;
        while (true)
        {
            try
            {
                if (await slots.WaitAsync(wait, stop))
                    return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            wait = AtLimitPoll;
            if (!ClientWaiting(listener) || _options.Board.OthersBelow(_options.BoardSlot, ConnectionLimit))
                continue;
            switch (EvictLongestIdle())
            {
                case true:
                    wait = EvictionSettle; // its slot frees once its wait ends and its socket closes
                    break;
                case false when _allBusyLog.TryEnter(out long held):
                    Lines.AllConnectionsBusy(Log, Pid, ConnectionLimitName, ConnectionLimit, held);
                    break;
            }
        }
    }

    private static bool ClientWaiting(Socket listener)
    {
        try
        {
            // A listening socket polls readable when a connection waits in its accept queue.
            return listener.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false; // the accept that follows reports it
        }
    }

    /// <summary>
    /// Closes the connection that has waited longest for its next call, if it has waited at least <see cref="MinIdleToEvict"/>:
    /// true then; false when every connection is in a call; null when the idle ones are still in use (idle only briefly).
    /// </summary>
    private bool? EvictLongestIdle()
    {
        var idle = new List<(long Since, ConnectionInfo Connection)>();
        bool anyIdle = false;
        long now = Stopwatch.GetTimestamp();
        foreach (var (_, connection) in _open)
        {
            if (connection.Waiter is not { IdleSince: var since and not 0 })
                continue;
            anyIdle = true;
            if (Stopwatch.GetElapsedTime(since, now) >= MinIdleToEvict)
                idle.Add((since, connection));
        }
        idle.Sort((a, b) => a.Since.CompareTo(b.Since));
        foreach (var (since, connection) in idle)
        {
            // False when its call arrived meanwhile: then the next longest idle.
            if (!connection.Waiter!.TryEvict())
                continue;
            long total = Interlocked.Increment(ref _idleConnectionsClosed);
            _metrics?.IdleConnectionEvicted();
            if (_evictionLog.TryEnter(out long held))
                Lines.IdleConnectionClosed(Log, Pid, ConnectionLimitName, ConnectionLimit, connection.Id, connection.Peer,
                    Stopwatch.GetElapsedTime(since).TotalSeconds, total, held);
            return true;
        }
        return anyIdle ? null : false;
    }

    /// <summary>
    /// Out of descriptors: logs once per interval (when a client is waiting), then waits until a connection of this worker
    /// closes (freeing one) or a short while passes (another process may free some), and lets the accept loop retry.
    /// False when stopping.
    /// </summary>
    private async Task<bool> PauseForDescriptorsAsync(Socket listener, string reason, CancellationToken stop)
    {
        if (ClientWaiting(listener))
        {
            long refused = Interlocked.Increment(ref _acceptsOutOfDescriptors);
            _metrics?.AcceptOutOfDescriptors();
            if (_descriptorsLog.TryEnter(out long held))
            {
                var (soft, _) = ResourceLimits.OpenFiles();
                Lines.OutOfDescriptors(Log, Pid, reason, DescribeLimit(soft), Volatile.Read(ref _connectionsOpen), refused, held);
            }
        }
        try
        {
            await _connectionClosed.WaitAsync(DescriptorRetry, stop);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Warns at start when the open-file limit leaves no room for worker_connections: the descriptors the worker holds
    /// now, one per connection, and some headroom for the runtime. The worker still starts; at the limit it pauses
    /// accepting (<see cref="PauseForDescriptorsAsync"/>).
    /// </summary>
    private void WarnIfDescriptorLimitLow()
    {
        var (soft, _) = ResourceLimits.OpenFiles();
        int open = ResourceLimits.OpenDescriptors();
        if (open < 0)
            return;
        long needed = (long)open + ConnectionLimit + DescriptorHeadroom;
        if (soft >= (ulong)needed)
            return;
        _descriptorBudget = (int)Math.Max(1, (long)soft - open - DescriptorHeadroom);
        Lines.DescriptorLimitLow(Log, Pid, DescribeLimit(soft), ConnectionLimitName, ConnectionLimit, open, DescriptorHeadroom, needed, _descriptorBudget);
    }

    private static string DescribeLimit(ulong limit) => limit == ulong.MaxValue ? "unlimited" : limit.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Waits, a millisecond at a time and never long, while another accepting worker holds fewer connections:
    /// the kernel then hands the next connection to a worker that is waiting in accept. Bounded, so that a
    /// worker that stopped accepting without saying so delays connections by at most <see cref="MaxAcceptDeferral"/>.
    /// </summary>
    private async Task LetLessLoadedWorkersAcceptAsync(CancellationToken stop)
    {
        var board = _options.Board;
        int slot = _options.BoardSlot;
        long started = Stopwatch.GetTimestamp();
        while (board.OthersLessLoaded(slot, AcceptSlack) && Stopwatch.GetElapsedTime(started) < MaxAcceptDeferral)
            await Task.Delay(1, stop);
    }

    /// <summary>
    /// On the hand-off channel's thread: a retiring worker's connection, which the master handed to this one (and
    /// already counted on the board). It takes a connection slot when one is free; the master only picks workers
    /// below worker_connections, so it is over the limit only by a race, and then for one connection.
    /// </summary>
    private void Adopt(Socket client, AdoptedConnection adopted)
    {
        bool slot = _slots?.Wait(0) ?? false;
        Track(HandOverAsync(client, slot ? _slots : null, adopted));
    }

    /// <summary>Serves an accepted socket as a <see cref="ThriftConnection"/> until it closes, then gives back its slot.</summary>
    /// <param name="slots">The slots to give one back to at the end; null for an adopted connection that took none.</param>
    /// <param name="adopted">Set for a connection another worker handed over: the master counted it on the board already.</param>
    private async Task HandOverAsync(Socket client, SemaphoreSlim? slots, AdoptedConnection? adopted = null)
    {
        // Counted before the accept loop goes on, so its next look at the board sees this connection.
        if (adopted is null)
            _options.Board.ConnectionOpened(_options.BoardSlot);
        Interlocked.Increment(ref _connectionsOpen);
        // Off the accept loop at once, so the next accept is not delayed by this connection's first call.
        await Task.Yield();
        try
        {
            await new ThriftConnection(client, _connectionServices!, adopted).ServeAsync();
        }
        finally
        {
            _options.Board.ConnectionClosed(_options.BoardSlot);
            Interlocked.Decrement(ref _connectionsOpen);
            slots?.Release();
            if (_connectionClosed.CurrentCount == 0)
            {
                try
                {
                    _connectionClosed.Release();
                }
                catch (SemaphoreFullException)
                {
                    // Another connection closed at the same moment: one wake-up is enough.
                }
            }
        }
    }

    private void Track(Task connection)
    {
        _connections[connection] = 0;
        _ = connection.ContinueWith((t, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(t, out _),
            _connections, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits for the calls in flight for up to graceful_timeout, then aborts the rest.</summary>
    private async Task DrainAsync()
    {
        var pending = _connections.Keys.ToArray();
        if (pending.Length == 0)
            return;
        var grace = TimeSpan.FromSeconds(Math.Max(0, Settings.GracefulTimeout - 0.5));
        var all = Task.WhenAll(pending);
        if (await Task.WhenAny(all, Task.Delay(grace)) != all)
        {
            Lines.DrainTimedOut(Log, Pid, _connections.Count, Settings.GracefulTimeout);
            _abort.Cancel();
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromMilliseconds(500)));
        }
    }

    /// <summary>Stops accepting and closes each connection once its call in flight is answered.</summary>
    public void BeginStop(string reason)
    {
        if (_stopReason is not null)
            return;
        _stopReason = reason;
        _options.Board.SetAccepting(_options.BoardSlot, false);
        // The master reads why, so that the exit 0 that follows is not taken for a handler's Environment.Exit.
        Send(WorkerReport.Stopping(reason));
        _stopAccepting.Cancel();
    }

    private void Abort(string reason)
    {
        BeginStop(reason);
        _abort.Cancel();
    }

    private void RegisterSignals()
    {
        Register(Signals.SIGTERM, () =>
        {
            _hooks.Run("worker_term", h => h.WorkerTerm(this));
            BeginStop(Volatile.Read(ref _fatal) is { } fatal ? $"replaced after {fatal.GetType().Name}"
                : Volatile.Read(ref _replacementReason) is { } replaced ? replaced + ", replaced" : "received SIGTERM");
        });
        Register(Signals.SIGINT, QuickStop);
        Register(Signals.SIGQUIT, QuickStop);
        Register(Signals.SIGUSR1, () =>
        {
            // Into the new file: after a rotation, the operator (and a test) can see that every worker let go of the old one.
            // A log that could not be reopened was reported with its reason, and the worker keeps writing to it.
            if (_options.ReopenLogs())
                Lines.LogsReopened(Log, Pid);
        });
        Register(Signals.SIGABRT, () =>
        {
            // The master murders a worker that timed out; say where it was stuck, then go.
            Lines.AbortedByMaster(Log, Pid, DescribeInFlight());
            _hooks.Run("worker_abort", h => h.WorkerAbort(this));
            Environment.Exit((int)WorkerExitCode.Error);
        });
        // Only the master acts on these; a worker must not be stopped by job control or reload by accident.
        foreach (int ignored in (int[])[Signals.SIGHUP, Signals.SIGTTIN, Signals.SIGTTOU, Signals.SIGWINCH, Signals.SIGUSR2])
            Register(ignored, () => { });

        void QuickStop()
        {
            _hooks.Run("worker_int", h => h.WorkerInt(this));
            Abort("received SIGINT/SIGQUIT");
        }
    }

    private void Register(int signal, Action action) =>
        _signals.Add(PosixSignalRegistration.Create((PosixSignal)signal, context =>
        {
            context.Cancel = true;
            action();
        }));

    private void HeartbeatLoop()
    {
        double timeout = Settings.Timeout;
        var interval = TimeSpan.FromSeconds(timeout > 0 ? Math.Clamp(timeout / 4, 0.1, 1.0) : 1.0);
        int masterPid = _options.MasterPid;
        int beatsSinceFatal = 0;
        while (!_heartbeatWake.Wait(interval))
        {
            // The call that failed reports with its method when it completes (CallCompleted); a failure outside any
            // failed call (a oneway, a background task, a handler that caught it) is reported from here, a few beats on.
            if (Volatile.Read(ref _fatal) is not null && ++beatsSinceFatal >= FatalReportBeats)
                ReportFatal(method: null);
            var (oldestMs, method) = OldestCall();
            if (!Send(WorkerReport.Heartbeat(Interlocked.Read(ref _callsRead), Interlocked.Read(ref _callsAnswered), oldestMs, method)))
            {
                BeginStop("the master closed the control socket");
                return;
            }
            if (ProcessIdentity.ParentPid != masterPid)
            {
                Lines.ParentChanged(Log, Pid, masterPid);
                BeginStop("the master is gone");
                return;
            }
        }
    }

    private (long Ms, string? Method) OldestCall()
    {
        ThriftCall? oldest = null;
        foreach (var (_, connection) in _open)
        {
            if (connection.CallInFlight is not { } call)
                continue;
            if (oldest is null || call.StartTimestamp < oldest.StartTimestamp)
                oldest = call;
        }
        if (oldest is null)
            return (0, null);
        return (Math.Max(1, (long)Stopwatch.GetElapsedTime(oldest.StartTimestamp).TotalMilliseconds), oldest.Method);
    }

    private string DescribeInFlight()
    {
        var calls = _open.Select(c => c.Value.CallInFlight).OfType<ThriftCall>().ToArray();
        if (calls.Length == 0)
            return "no call in flight";
        return string.Join(", ", calls.Select(c => $"'{c.Method}' from {c.Connection.Peer} for {Stopwatch.GetElapsedTime(c.StartTimestamp).TotalSeconds:0.0}s"));
    }

    private bool Send(WorkerReport report)
    {
        try
        {
            lock (_options.Control)
                _options.Control.Send(Encoding.UTF8.GetBytes(report.Format()));
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// A failure after which the worker must be replaced: an <see cref="OutOfMemoryException"/>, wherever it was
    /// thrown and whoever caught it: the heap was at its limit (or the handler asked for more than it can ever hold),
    /// and what filled it is usually still referenced. Not <see cref="InsufficientMemoryException"/>: MemoryFailPoint
    /// throws it before allocating, by design, so nothing is wrong yet. Not <see cref="InsufficientExecutionStackException"/>:
    /// EnsureSufficientExecutionStack throws it before the stack overflows, and the unwinding gives the stack back.
    /// A real stack overflow or access violation ends the process, which the master reaps and replaces anyway.
    /// </summary>
    internal static bool IsFatal(Exception exception) => exception is OutOfMemoryException and not InsufficientMemoryException;

    /// <summary>
    /// Once: logs why, stops advertising for connections, and asks the master for a replacement; the master starts it
    /// first, then sends TERM, so this worker answers its calls in flight and exits as at max_requests.
    /// </summary>
    private void ReportFatal(string? method)
    {
        if (Interlocked.Exchange(ref _fatalReported, 1) != 0 || Volatile.Read(ref _fatal) is not { } fatal)
            return;
        string reason = $"{fatal.GetType().Name} ({fatal.Message})" + (method is null ? "" : $" in or near call '{method}'");
        Lines.FatalFailure(Log, Pid, reason);
        // Other workers no longer wait for this one to take connections (LetLessLoadedWorkersAcceptAsync).
        _options.Board.SetAccepting(_options.BoardSlot, false);
        if (!Send(WorkerReport.Retire(reason)))
            BeginStop("the master closed the control socket");
    }

    // ---- IConnectionReporter: on the call path, keep it cheap ----

    void IConnectionReporter.Opened(ConnectionInfo connection)
    {
        _open[connection.Id] = connection;
        _metrics?.ConnectionOpened(connection);
        if (_runCallHooks)
            _hooks.Run("on_connected", h => h.OnConnected(this, connection));
    }

    void IConnectionReporter.Detected(ConnectionInfo connection, ThriftProtocolKind protocol, ThriftTransportKind transport) =>
        _metrics?.ConnectionDetected(connection, protocol, transport);

    void IConnectionReporter.CallStarted(ThriftCall call)
    {
        _metrics?.CallStarted();
        if (!call.IsOneway)
            Interlocked.Increment(ref _callsRead);
        call.Connection.CallInFlight = call;
        if (_runCallHooks)
            _hooks.Run("pre_request", h => h.PreRequest(this, call));
    }

    void IConnectionReporter.CallCompleted(ThriftCall call)
    {
        call.Connection.CallInFlight = null;
        _metrics?.CallCompleted(call);
        if (!call.IsOneway && call.Result is not (ThriftCall.ResultTransportError or ThriftCall.ResultProtocolError or ThriftCall.ResultAborted))
            Interlocked.Increment(ref _callsAnswered);
        long served = Interlocked.Increment(ref _callsServed);
        if (_runCallHooks)
            _hooks.Run("post_request", h => h.PostRequest(this, call));
        _options.AccessLog?.Write(call);
        // A call that succeeded did not hit the failure; with calls in flight side by side, the one that did fails.
        if (Volatile.Read(ref _fatal) is not null && call.Result != ThriftCall.ResultOk)
            ReportFatal(call.Method);
        if (_maxRequests > 0 && served >= _maxRequests && _stopReason is null)
            MaxRequestsReached(served);
    }

    /// <summary>
    /// With hand-off, spawn-first: asks the master (once) for a replacement, which it starts before it retires this
    /// worker, so that its connections have a live worker to move to; without, stops at once as gunicorn does.
    /// </summary>
    private void MaxRequestsReached(long served)
    {
        string reason = $"max_requests ({_maxRequests}) reached";
        if (_connectionServices?.HandOff is null)
        {
            Lines.MaxRequestsReached(Log, Pid, served);
            BeginStop(reason);
            return;
        }
        if (Interlocked.CompareExchange(ref _replacementReason, reason, null) is not null)
            return;
        Lines.MaxRequestsReplacing(Log, Pid, served);
        if (!Send(WorkerReport.Retire(reason)))
            BeginStop(reason);
    }

    void IConnectionReporter.BadInput(ConnectionInfo connection, Exception error)
    {
        _metrics?.BadInput();
        if (_runCallHooks)
            _hooks.Run("on_tdecode_exception", h => h.OnTDecodeException(this, connection, error));
    }

    void IConnectionReporter.Closed(ConnectionInfo connection, string reason)
    {
        _open.TryRemove(connection.Id, out _);
        _metrics?.ConnectionClosed(connection);
        if (_runCallHooks)
            _hooks.Run("post_connect_closed", h => h.PostConnectClosed(this, connection));
    }
}
