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
/// On the call path: a call costs one lock-free dictionary lookup (the series of its method and result, claimed
/// once) and a few atomic adds. Nothing is allocated per call.
/// </remarks>
internal sealed class WorkerMetrics
{
    public const string MeterName = "Tunicorn.Server";

    private static readonly Meter Meter = new(MeterName, typeof(WorkerMetrics).Assembly.GetName().Version?.ToString(3));
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(MetricNames.CallDuration, "s",
        "Duration of the Thrift calls the server answered", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.DurationSeconds });
    private static readonly UpDownCounter<long> ActiveCalls = Meter.CreateUpDownCounter<long>(MetricNames.ActiveCalls, "{call}",
        "Calls the server is running now");

    private readonly MetricsBoard _board;
    private readonly int _slot;
    private readonly string _defaultService;
    private readonly ConcurrentDictionary<string, MethodSeries> _methods = new(StringComparer.Ordinal);
    private readonly Lock _claim = new();

    /// <param name="defaultService">The service a call without a service name (not multiplexed) belongs to, for <c>rpc.method</c>.</param>
    public WorkerMetrics(MetricsBoard board, int slot, string defaultService)
    {
        board.CheckSlot(slot);
        _board = board;
        _slot = slot;
        _defaultService = defaultService;
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
        _board.CallStarted(_slot);
        if (ActiveCalls.Enabled)
            ActiveCalls.Add(1);
    }

    public void CallCompleted(ThriftCall call)
    {
        _board.CallEnded(_slot);
        if (ActiveCalls.Enabled)
            ActiveCalls.Add(-1);
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
        _board.RecordCall(_slot, series, call.Duration.Ticks, call.RequestBytes, call.ResponseBytes);
        if (Duration.Enabled)
        {
            var tags = new TagList { { MetricNames.RpcSystemName, MetricNames.RpcSystemThrift }, { MetricNames.RpcMethod, method.RpcMethod } };
            if (errorType is not null)
                tags.Add(MetricNames.ErrorType, errorType);
            Duration.Record(call.Duration.TotalSeconds, tags);
        }
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
