using Microsoft.Extensions.Logging;
using Tunicorn.Client.Balancing;
using Tunicorn.Client.Discovery;

namespace Tunicorn.Client.Pooling;

/// <summary>
/// One server in the client's view: its pool, its calls in flight, and its failure record. A server that fails
/// EjectAfterFailures times in a row is ejected for EjectionTime, doubled for each ejection in a row (up to
/// MaxEjectionTime); one success clears the record. A call whose deadline passed counts as a failure: a hung server
/// (stopped, swapping, deadlocked) accepts connections and answers nothing, and only its timeouts show it. Back from an
/// ejection a server is on probation: it takes one call at a time from this client until one succeeds, so that a
/// server still hung holds one caller until the deadline, not every caller.
/// </summary>
internal sealed class ServerState : IBalancedServer, IDisposable
{
    private readonly TunicornClientOptions _options;
    private readonly ILogger _log;
    private readonly ClientMetrics? _metrics;
    private readonly Lock _gate = new();
    private int _outstanding;
    private int _failuresInARow;
    private int _ejectionsInARow;
    private long _ejectedUntil;
    private volatile bool _troubled;
    private volatile bool _onProbation;

    public ServerState(ServiceInstance instance, ConnectionPool pool, TunicornClientOptions options, ILogger log, ClientMetrics? metrics = null)
    {
        _metrics = metrics;
        Instance = instance;
        Pool = pool;
        _options = options;
        _log = log;
    }

    /// <summary>The latest announcement (weight and version may change while the address stays).</summary>
    public ServiceInstance Instance { get; set; }

    public ConnectionPool Pool { get; }

    public int OutstandingRequests => Volatile.Read(ref _outstanding);

    public void CallStarted() => Interlocked.Increment(ref _outstanding);

    public void CallEnded() => Interlocked.Decrement(ref _outstanding);

    /// <summary>Ejected now, or on probation with its one call in flight.</summary>
    public bool IsEjected(long now) =>
        _troubled && (Volatile.Read(ref _ejectedUntil) > now || (_onProbation && Volatile.Read(ref _outstanding) > 0));

    public void RecordSuccess()
    {
        if (!_troubled)
            return;
        bool wasEjected;
        lock (_gate)
        {
            wasEjected = _ejectionsInARow > 0;
            _failuresInARow = 0;
            _ejectionsInARow = 0;
            _ejectedUntil = 0;
            _onProbation = false;
            _troubled = false;
        }
        if (wasEjected)
            ClientLog.ServerReinstated(_log, Instance.Address);
    }

    public void RecordFailure(string reason)
    {
        long now = _options.TimeProvider.GetTimestamp();
        TimeSpan? ejectedFor = null;
        int failures;
        lock (_gate)
        {
            _troubled = true;
            failures = ++_failuresInARow;
            if (failures >= _options.EjectAfterFailures && _ejectedUntil <= now)
            {
                double seconds = _options.EjectionTime.TotalSeconds * Math.Pow(2, Math.Min(_ejectionsInARow, 20));
                var time = TimeSpan.FromSeconds(Math.Min(seconds, _options.MaxEjectionTime.TotalSeconds));
                _ejectedUntil = now + (long)(time.TotalSeconds * _options.TimeProvider.TimestampFrequency);
                _ejectionsInARow++;
                _onProbation = true;
                // Back from an ejection, one more failure ejects again (for longer).
                _failuresInARow = _options.EjectAfterFailures - 1;
                ejectedFor = time;
            }
        }
        if (ejectedFor is { } duration)
        {
            ClientLog.ServerEjected(_log, Instance.Address, duration.TotalSeconds, failures, reason);
            _metrics?.Ejected(Instance);
        }
    }

    public void Dispose() => Pool.Dispose();
}
