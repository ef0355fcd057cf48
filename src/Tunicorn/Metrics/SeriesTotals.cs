namespace Tunicorn.Metrics;

/// <summary>The calls of one <c>rpc.method</c> and <c>error.type</c> (null: the call succeeded), summed over workers.</summary>
internal sealed class SeriesTotals(string method, string? errorType)
{
    public string Method { get; } = method;
    public string? ErrorType { get; } = errorType;
    public long Count { get; set; }
    /// <summary>Sum of the durations, in <see cref="TimeSpan"/> ticks.</summary>
    public long DurationTicks { get; set; }
    /// <summary>Calls per bucket of <see cref="MetricBuckets.DurationSeconds"/> (not cumulative), +Inf last.</summary>
    public long[] DurationBuckets { get; } = new long[MetricBuckets.DurationCount];
    public long RequestBytes { get; set; }
    public long[] RequestBuckets { get; } = new long[MetricBuckets.SizeCount];
    public long ResponseBytes { get; set; }
    public long[] ResponseBuckets { get; } = new long[MetricBuckets.SizeCount];

    public void Add(SeriesTotals other)
    {
        Count += other.Count;
        DurationTicks += other.DurationTicks;
        RequestBytes += other.RequestBytes;
        ResponseBytes += other.ResponseBytes;
        for (int i = 0; i < DurationBuckets.Length; i++)
            DurationBuckets[i] += other.DurationBuckets[i];
        for (int i = 0; i < RequestBuckets.Length; i++)
        {
            RequestBuckets[i] += other.RequestBuckets[i];
            ResponseBuckets[i] += other.ResponseBuckets[i];
        }
    }
}
