using Tunicorn.Control;
using Tunicorn.WorkerContract;

namespace Tunicorn.Metrics;

/// <summary>
/// The master's side of the metrics: sums the <see cref="MetricsBoard"/> slots of the workers alive with what every
/// exited worker counted (folded in when it is reaped), so that each counter only grows for the life of the master,
/// across recycling, kills and reloads. Also counts what the master itself sees: spawns, exits, reloads.
/// </summary>
/// <remarks>
/// Called from the arbiter loop (<see cref="Assign"/>, <see cref="Retire"/>, the master's counters) and from the
/// admin endpoint's and exporters' threads (<see cref="Collect"/>): one lock makes a worker's numbers move from its
/// slot to the kept totals in one step, never counted twice nor missed.
/// </remarks>
internal sealed class MetricsAggregator : IDisposable
{
    /// <summary>How often the recent-calls window takes a snapshot, and how many it keeps: the last minute and a bit.</summary>
    private static readonly TimeSpan SnapshotEvery = TimeSpan.FromSeconds(10);
    private const int SnapshotsKept = 7;

    private readonly MetricsBoard _board;
    private readonly Lock _gate = new();
    private readonly int[] _pids = new int[ConnectionBoard.Slots];
    private readonly MetricsTotals _exited = new();
    private readonly Dictionary<string, long> _workersExited = new(StringComparer.Ordinal);
    private readonly Queue<(long At, Dictionary<string, (long Count, long Errors, long[] Buckets)> Methods)> _recent = new();
    private readonly TimeProvider _time;
    // Only while something shows the recent window (/status): an idle master without it allocates nothing for metrics.
    private readonly ITimer? _snapshots;
    private long _spawned;
    private long _reloadsOk;
    private long _reloadsFailed;

    /// <param name="keepRecent">Take the snapshots of <see cref="RecentMethods"/> (the admin endpoint's /status).</param>
    public MetricsAggregator(ConnectionBoard board, TimeProvider? time = null, bool keepRecent = false)
    {
        _board = MetricsBoard.Of(board);
        _time = time ?? TimeProvider.System;
        if (keepRecent)
            _snapshots = _time.CreateTimer(_ => TakeSnapshot(), null, TimeSpan.Zero, SnapshotEvery);
    }

    /// <summary>A worker was spawned into <paramref name="slot"/>: its slot starts from zero.</summary>
    public void Assign(int slot, int pid)
    {
        lock (_gate)
        {
            _board.Clear(slot);
            _pids[slot] = pid;
            _spawned++;
        }
    }

    /// <summary>Whether the slot is counted (a spawn that failed leaves it unassigned).</summary>
    public void SetPid(int slot, int pid)
    {
        lock (_gate)
            _pids[slot] = pid;
    }

    /// <summary>
    /// The worker of <paramref name="slot"/> was reaped: what it counted is kept, its gauges (connections, calls in
    /// flight) end with it, and the exit is counted under <paramref name="reason"/> (<see cref="WorkerExitReason"/>).
    /// </summary>
    public void Retire(int slot, string reason)
    {
        lock (_gate)
        {
            if (_pids[slot] != 0)
                _board.AddSlotTo(slot, _exited, countersOnly: true);
            _board.Clear(slot);
            _pids[slot] = 0;
            _workersExited[reason] = _workersExited.GetValueOrDefault(reason) + 1;
        }
    }

    /// <summary>A spawn that failed: the slot is free again and nothing is counted.</summary>
    public void Unassign(int slot)
    {
        lock (_gate)
        {
            _board.Clear(slot);
            _pids[slot] = 0;
            _spawned--;
        }
    }

    public void ReloadFinished(bool ok)
    {
        lock (_gate)
        {
            if (ok)
                _reloadsOk++;
            else
                _reloadsFailed++;
        }
    }

    /// <summary>Everything now: the workers alive read from their slots, plus what exited workers counted.</summary>
    /// <param name="withMemory">Read each worker's resident memory from /proc (a file read per worker).</param>
    public MetricsTotals Collect(bool withMemory = true)
    {
        var totals = new MetricsTotals();
        var pids = new List<int>();
        lock (_gate)
        {
            totals.AddFrom(_exited);
            for (int slot = 0; slot < _pids.Length; slot++)
            {
                if (_pids[slot] == 0)
                    continue;
                _board.AddSlotTo(slot, totals, countersOnly: false);
                if (_pids[slot] > 0)
                    pids.Add(_pids[slot]);
            }
            totals.WorkersAlive = pids.Count;
            totals.WorkersSpawned = _spawned;
            foreach (var (reason, count) in _workersExited)
                totals.WorkersExited[reason] = count;
            totals.ReloadsOk = _reloadsOk;
            totals.ReloadsFailed = _reloadsFailed;
        }
        // Gauges of a connection that moved between formats may read one off for an instant; never below zero.
        for (int f = 0; f < totals.ConnectionsActive.Length; f++)
            totals.ConnectionsActive[f] = Math.Max(0, totals.ConnectionsActive[f]);
        totals.CallsInFlight = Math.Max(0, totals.CallsInFlight);
        if (withMemory)
        {
            foreach (int pid in pids)
                totals.WorkerMemory.Add((pid, ProcessMemory.ResidentBytes(pid)));
        }
        return totals;
    }

    /// <summary>
    /// Per method over about the last minute: calls, errors and the duration quantiles (p50, p99, p99.9, in
    /// seconds, interpolated in the fixed buckets), from the difference between now and the oldest snapshot kept.
    /// </summary>
    public List<RecentMethod> RecentMethods()
    {
        var now = Collect(withMemory: false).ByMethod();
        (long At, Dictionary<string, (long Count, long Errors, long[] Buckets)> Methods)? oldest;
        lock (_gate)
            oldest = _recent.Count > 0 ? _recent.Peek() : null;
        var window = oldest is { } o ? _time.GetElapsedTime(o.At) : TimeSpan.Zero;
        var result = new List<RecentMethod>();
        foreach (var (method, (count, errors, buckets)) in now.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            long[] delta = (long[])buckets.Clone();
            long c = count, e = errors;
            if (oldest is { } old && old.Methods.TryGetValue(method, out var before))
            {
                c -= before.Count;
                e -= before.Errors;
                for (int i = 0; i < delta.Length; i++)
                    delta[i] -= before.Buckets[i];
            }
            result.Add(new RecentMethod(method, c, e, window.TotalSeconds,
                MetricBuckets.Quantile(delta, MetricBuckets.DurationSeconds, 0.5),
                MetricBuckets.Quantile(delta, MetricBuckets.DurationSeconds, 0.99),
                MetricBuckets.Quantile(delta, MetricBuckets.DurationSeconds, 0.999)));
        }
        return result;
    }

    private void TakeSnapshot()
    {
        var methods = Collect(withMemory: false).ByMethod();
        lock (_gate)
        {
            _recent.Enqueue((_time.GetTimestamp(), methods));
            while (_recent.Count > SnapshotsKept)
                _recent.Dequeue();
        }
    }

    public void Dispose() => _snapshots?.Dispose();
}
