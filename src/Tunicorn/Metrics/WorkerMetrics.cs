using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Tunicorn.Config;
using Tunicorn.Thrift;

namespace Tunicorn.Metrics;

/// <summary>
/// A worker's side of the metrics: counts its connections and calls into its slot of the <see cref="MetricsBoard"/>
/// (which the master sums), and records the same calls on the worker's <see cref="Meter"/> for an in-process listener
/// (dotnet-counters, dotnet-monitor), which costs a flag test when nobody listens.
/// </summary>
/// <remarks>
/// On the call path: a call costs a comparison with its connection's last method (or a lock-free dictionary lookup:
/// the series of its method and result, claimed once) and a few plain adds into the calling thread's own copy of the
/// call counters, which <see cref="Publish"/> sums into the board every <see cref="MetricsBoard.PublishInterval"/> and
/// when the worker exits. Nothing is allocated per call. Connection counts go to the board at once (Interlocked): they
/// change once a connection, not once a call.
/// </remarks>
internal sealed class WorkerMetrics : IDisposable
{
    public const string MeterName = "Tunicorn.Server";

    /// <summary>
    /// The process's meter and its instruments, made once by <see cref="Instruments"/>: when the worker's first call has
    /// been answered, or by the publish timer <see cref="IdleInstrumentsDelay"/> after start when no call came. Not while
    /// the worker boots: the meter's and the instruments' generic code, JIT-compiled at Tier0, cost a new worker ~4 ms of
    /// CPU before its first reply (issue 13, 5a).
    /// </summary>
    private static volatile ServerInstruments? s_instruments;
    private static readonly Lock InstrumentsGate = new();
    private static readonly TimeSpan IdleInstrumentsDelay = TimeSpan.FromSeconds(2);
    private readonly long _started = Stopwatch.GetTimestamp();

    private sealed class ServerInstruments
    {
        public ServerInstruments()
        {
            var meter = new Meter(MeterName, typeof(WorkerMetrics).Assembly.GetName().Version?.ToString(3));
            Duration = meter.CreateHistogram<double>(MetricNames.CallDuration, "s", "Duration of the Thrift calls the server answered",
                advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.DurationSeconds });
            ActiveCalls = meter.CreateUpDownCounter<long>(MetricNames.ActiveCalls, "{call}", "Calls the server is running now");
        }

        public Histogram<double> Duration { get; }
        public UpDownCounter<long> ActiveCalls { get; }
    }

    private static ServerInstruments Instruments()
    {
        if (s_instruments is { } made)
            return made;
        lock (InstrumentsGate)
            return s_instruments ??= new ServerInstruments();
    }

    // Calls started before the instruments existed, still in flight: they end without taking one off active_calls.
    private int _startedUninstrumented;

    private readonly MetricsBoard _board;
    private readonly int _slot;
    private readonly string _defaultService;
    private readonly ConcurrentDictionary<string, MethodSeries> _methods = new(StringComparer.Ordinal);
    private readonly Lock _claim = new();

    // Each thread's copy of the call counters (MetricsBoard layout), by managed thread id: a copy outlives its thread,
    // so what a retired thread-pool thread counted stays in the sum, and a new thread with its id continues it.
    private readonly Dictionary<int, long[]> _copiesByThread = [];
    private long[][] _copies = [];
    private readonly Lock _publishing = new();
    private readonly Timer? _publisher;

    // The calling thread's copy, and whose it is (a process holds one WorkerMetrics; tests hold several).
    [ThreadStatic]
    private static ThreadCopy? t_copy;

    /// <param name="defaultService">The service a call without a service name (not multiplexed) belongs to, for <c>rpc.method</c>.</param>
    /// <param name="publishEvery">How often to <see cref="Publish"/> on a timer; null: only when called.</param>
    public WorkerMetrics(MetricsBoard board, int slot, string defaultService, TimeSpan? publishEvery = null)
    {
        board.CheckSlot(slot);
        _board = board;
        _slot = slot;
        _defaultService = defaultService;
        if (publishEvery is { } every)
            _publisher = new Timer(_ =>
            {
                if (s_instruments is null && Stopwatch.GetElapsedTime(_started) >= IdleInstrumentsDelay)
                    _ = Instruments();
                Publish();
            }, null, every, every);
    }

    /// <summary>
    /// Copies the call counters every thread counted so far into the board, where the master reads them. Runs on the
    /// timer, and once more from <see cref="Dispose"/> and at process exit, so that only a SIGKILL loses calls (those
    /// of the last interval).
    /// </summary>
    public void Publish()
    {
        lock (_publishing)
            _board.Publish(_slot, Volatile.Read(ref _copies));
    }

    /// <summary>Stops the timer and publishes what was counted since its last run.</summary>
    public void Dispose()
    {
        _publisher?.Dispose();
        Publish();
    }

    private long[] Counts() => t_copy is { } copy && ReferenceEquals(copy.Owner, this) ? copy.Counts : JoinThread();

    private long[] JoinThread()
    {
        long[] counts;
        lock (_claim)
        {
            if (!_copiesByThread.TryGetValue(Environment.CurrentManagedThreadId, out counts!))
            {
                counts = new long[MetricsBoard.SlotLongs];
                _copiesByThread[Environment.CurrentManagedThreadId] = counts;
                Volatile.Write(ref _copies, [.. _copies, counts]);
            }
        }
        t_copy = new ThreadCopy(this, counts);
        return counts;
    }

    public void ConnectionOpened(ConnectionInfo connection)
    {
        connection.MetricsFormat = ConnectionFormat.Unknown;
        _board.ConnectionOpened(_slot);
    }

    public void ConnectionDetected(ConnectionInfo connection, ThriftProtocolKind protocol, ThriftTransportKind transport)
    {
        int format = ConnectionFormat.Of(protocol, transport);
        if (format == ConnectionFormat.Unknown || connection.MetricsFormat != ConnectionFormat.Unknown)
            return;
        connection.MetricsFormat = format;
        _board.ConnectionDetected(_slot, format);
    }

    public void ConnectionClosed(ConnectionInfo connection) => _board.ConnectionClosed(_slot, connection.MetricsFormat);

    public void IdleConnectionEvicted() => _board.IdleConnectionEvicted(_slot);

    public void AcceptOutOfDescriptors() => _board.AcceptOutOfDescriptors(_slot);

    public void BadInput() => _board.BadInput(_slot);

    public void CallStarted()
    {
        MetricsBoard.CallStarted(Counts());
        if (s_instruments is not { } instruments)
            Interlocked.Increment(ref _startedUninstrumented);
        else if (instruments.ActiveCalls.Enabled)
            instruments.ActiveCalls.Add(1);
    }

    public void CallCompleted(ThriftCall call)
    {
        long[] counts = Counts();
        MetricsBoard.CallEnded(counts);
        var instruments = Instruments();
        if (!TakeUninstrumentedStart() && instruments.ActiveCalls.Enabled)
            instruments.ActiveCalls.Add(-1);
        // A connection mostly calls one method: comparing the name with its last one is cheaper than hashing it.
        MethodSeries method;
        if (call.Connection.MetricsSeries is MethodSeries last && string.Equals(last.WireName, call.Method, StringComparison.Ordinal))
        {
            method = last;
        }
        else
        {
            method = _methods.TryGetValue(call.Method, out var found) ? found : AddMethod(call.Method);
            call.Connection.MetricsSeries = method;
        }
        string? errorType = ErrorType(call.Result);
        int series = method.SeriesOf(errorType, this);
        MetricsBoard.RecordCall(counts, series, call.Duration.Ticks, call.RequestBytes, call.ResponseBytes);
        if (instruments.Duration.Enabled)
        {
            var tags = new TagList { { MetricNames.RpcSystemName, MetricNames.RpcSystemThrift }, { MetricNames.RpcMethod, method.RpcMethod } };
            if (errorType is not null)
                tags.Add(MetricNames.ErrorType, errorType);
            instruments.Duration.Record(call.Duration.TotalSeconds, tags);
        }
    }

    /// <summary>True (and one fewer) when a call that started before the instruments existed is still to end.</summary>
    private bool TakeUninstrumentedStart()
    {
        int left = Volatile.Read(ref _startedUninstrumented);
        while (left > 0)
        {
            int seen = Interlocked.CompareExchange(ref _startedUninstrumented, left - 1, left);
            if (seen == left)
                return true;
            left = seen;
        }
        return false;
    }

    /// <summary>
    /// <c>error.type</c> of a call's result: null when it succeeded; the declared exception's name or
    /// TApplicationException as the reply said; snake_case words for failures without a reply.
    /// </summary>
    internal static string? ErrorType(string? result) => result is null || ReferenceEquals(result, ThriftCall.ResultOk) ? null : result switch
    {
        ThriftCall.ResultOk => null,
        ThriftCall.ResultTransportError => "transport_error",
        ThriftCall.ResultProtocolError => "protocol_error",
        ThriftCall.ResultAborted => "aborted",
        _ => result,
    };

    /// <summary><c>rpc.method</c>: <c>Service/method</c>, from a multiplexed <c>Service:method</c> or a plain method of the default service.</summary>
    internal static string RpcMethod(string wireName, string defaultService)
    {
        int colon = wireName.IndexOf(':');
        return colon > 0 ? string.Concat(wireName.AsSpan(0, colon), "/", wireName.AsSpan(colon + 1)) : defaultService + "/" + wireName;
    }

    private MethodSeries AddMethod(string wireName)
    {
        lock (_claim)
        {
            if (_methods.TryGetValue(wireName, out var found))
                return found;
            // A client can send any name; unknown ones end as TApplicationException calls, one series each until the
            // board's overflow series takes the rest.
            var method = new MethodSeries(wireName, RpcMethod(wireName, _defaultService));
            _methods[wireName] = method;
            return method;
        }
    }

    private int Claim(string rpcMethod, string? errorType)
    {
        lock (_claim)
            return _board.ClaimSeries(_slot, rpcMethod, errorType);
    }

    private sealed record ThreadCopy(WorkerMetrics Owner, long[] Counts);

    /// <summary>The series of one method: the successful calls' and one per error type, claimed on first use.</summary>
    private sealed class MethodSeries(string wireName, string rpcMethod)
    {
        public string WireName { get; } = wireName;

        private readonly Lock _gate = new();
        private int _ok = -1;
        // Copied on write (rare: a new error type), read without a lock.
        private (string ErrorType, int Series)[] _errors = [];

        public string RpcMethod { get; } = rpcMethod;

        public int SeriesOf(string? errorType, WorkerMetrics owner)
        {
            if (errorType is null)
            {
                int ok = Volatile.Read(ref _ok);
                return ok >= 0 ? ok : ClaimOk(owner);
            }
            foreach (var (type, series) in Volatile.Read(ref _errors))
            {
                if (ReferenceEquals(type, errorType) || type == errorType)
                    return series;
            }
            return ClaimError(errorType, owner);
        }

        private int ClaimOk(WorkerMetrics owner)
        {
            lock (_gate)
            {
                if (_ok < 0)
                    Volatile.Write(ref _ok, owner.Claim(RpcMethod, null));
                return _ok;
            }
        }

        private int ClaimError(string errorType, WorkerMetrics owner)
        {
            lock (_gate)
            {
                foreach (var (type, series) in _errors)
                {
                    if (type == errorType)
                        return series;
                }
                int claimed = owner.Claim(RpcMethod, errorType);
                Volatile.Write(ref _errors, [.. _errors, (errorType, claimed)]);
                return claimed;
            }
        }
    }
}
