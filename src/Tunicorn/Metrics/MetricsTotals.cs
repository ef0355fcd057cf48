using System.Text;

namespace Tunicorn.Metrics;

/// <summary>
/// The server's numbers at one moment, summed over every worker alive and every worker that has exited: what
/// /metrics, /status, statsd and the master's meter show. Built by <see cref="MetricsAggregator.Collect"/>.
/// </summary>
internal sealed class MetricsTotals
{
    private readonly Dictionary<string, SeriesTotals> _series = new(StringComparer.Ordinal);

    public long[] ConnectionsActive { get; } = new long[ConnectionFormat.Count];
    public long[] ConnectionsTotal { get; } = new long[ConnectionFormat.Count];
    public long CallsInFlight { get; set; }
    public long IdleConnectionsEvicted { get; set; }
    public long AcceptsOutOfDescriptors { get; set; }
    public long BadInput { get; set; }

    // The master's own counters.
    public long WorkersAlive { get; set; }
    public long WorkersSpawned { get; set; }
    public Dictionary<string, long> WorkersExited { get; } = new(StringComparer.Ordinal);
    public long ReloadsOk { get; set; }
    public long ReloadsFailed { get; set; }
    /// <summary>Resident memory of each worker alive, by pid; null when /proc could not tell.</summary>
    public List<(int Pid, long? RssBytes)> WorkerMemory { get; } = [];

    /// <summary>Every series, ordered by method then error type (none first): a stable order for the text formats.</summary>
    public IEnumerable<SeriesTotals> Series =>
        _series.Values.OrderBy(s => s.Method, StringComparer.Ordinal).ThenBy(s => s.ErrorType ?? "", StringComparer.Ordinal);

    /// <summary>The series of a key as the board stores it: the method, a newline, the error type (empty when none).</summary>
    public SeriesTotals SeriesFor(ReadOnlySpan<byte> key)
    {
        string text = Encoding.UTF8.GetString(key);
        if (_series.TryGetValue(text, out var found))
            return found;
        int newline = text.IndexOf('\n');
        string method = newline < 0 ? text : text[..newline];
        string? error = newline < 0 || newline == text.Length - 1 ? null : text[(newline + 1)..];
        return _series[text] = new SeriesTotals(method, error);
    }

    public void AddFrom(MetricsTotals other)
    {
        for (int f = 0; f < ConnectionFormat.Count; f++)
        {
            ConnectionsActive[f] += other.ConnectionsActive[f];
            ConnectionsTotal[f] += other.ConnectionsTotal[f];
        }
        CallsInFlight += other.CallsInFlight;
        IdleConnectionsEvicted += other.IdleConnectionsEvicted;
        AcceptsOutOfDescriptors += other.AcceptsOutOfDescriptors;
        BadInput += other.BadInput;
        foreach (var (key, series) in other._series)
        {
            if (!_series.TryGetValue(key, out var mine))
                _series[key] = mine = new SeriesTotals(series.Method, series.ErrorType);
            mine.Add(series);
        }
    }

    /// <summary>Calls summed over the error types of each method: (count, errors, duration buckets).</summary>
    public Dictionary<string, (long Count, long Errors, long[] Buckets)> ByMethod()
    {
        var methods = new Dictionary<string, (long Count, long Errors, long[] Buckets)>(StringComparer.Ordinal);
        foreach (var s in _series.Values)
        {
            if (!methods.TryGetValue(s.Method, out var m))
                m = (0, 0, new long[MetricBuckets.DurationCount]);
            for (int i = 0; i < m.Buckets.Length; i++)
                m.Buckets[i] += s.DurationBuckets[i];
            methods[s.Method] = (m.Count + s.Count, m.Errors + (s.ErrorType is null ? 0 : s.Count), m.Buckets);
        }
        return methods;
    }
}
