namespace Tunicorn.Metrics;

/// <summary>
/// The fixed histogram buckets every worker counts into and the master sums: fixed, so that a call costs a few
/// increments in shared memory and no allocation, and so that the buckets of every worker add up.
/// </summary>
internal static class MetricBuckets
{
    /// <summary>
    /// Upper bounds of the call duration buckets, in seconds: OpenTelemetry's recommended boundaries for
    /// rpc.server.call.duration (5 ms … 10 s), with finer ones below 5 ms, where a Thrift call on a LAN usually is.
    /// </summary>
    public static readonly double[] DurationSeconds =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    /// <summary>Upper bounds of the message size buckets, in bytes.</summary>
    public static readonly double[] SizeBytes = [64, 128, 256, 512, 1024, 4096, 16384, 65536, 1048576];

    /// <summary>The duration bounds in <see cref="TimeSpan"/> ticks, the unit the boards count in.</summary>
    private static readonly long[] DurationTicks = ToLongs(DurationSeconds, TimeSpan.TicksPerSecond);

    private static readonly long[] SizeLimits = ToLongs(SizeBytes, 1);

    // A loop rather than Select(...).ToArray(): LINQ over double and long is generic code a new worker compiles before its first call.
    private static long[] ToLongs(double[] values, long scale)
    {
        var longs = new long[values.Length];
        for (int i = 0; i < values.Length; i++)
            longs[i] = (long)Math.Round(values[i] * scale);
        return longs;
    }

    /// <summary>Buckets of a duration histogram, the last one (+Inf) included.</summary>
    public static int DurationCount => DurationSeconds.Length + 1;

    public static int SizeCount => SizeBytes.Length + 1;

    public static int DurationBucket(long ticks) => BucketOf(DurationTicks, ticks);

    public static int SizeBucket(long bytes) => BucketOf(SizeLimits, bytes);

    private static int BucketOf(long[] bounds, long value)
    {
        // Prometheus buckets are "less than or equal"; a linear scan over 20 longs beats a binary search's branches.
        for (int i = 0; i < bounds.Length; i++)
        {
            if (value <= bounds[i])
                return i;
        }
        return bounds.Length;
    }

    /// <summary>
    /// The <paramref name="quantile"/> of a histogram given as counts per bucket (not cumulative), interpolated
    /// linearly inside its bucket as Prometheus' histogram_quantile does; null when empty. A quantile in the
    /// +Inf bucket is reported as the highest finite bound.
    /// </summary>
    public static double? Quantile(ReadOnlySpan<long> counts, double[] bounds, double quantile)
    {
        long total = 0;
        foreach (long c in counts)
            total += c;
        if (total == 0)
            return null;
        double rank = quantile * total;
        long below = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            if (below + counts[i] >= rank && counts[i] > 0)
            {
                if (i >= bounds.Length)
                    return bounds[^1];
                double lower = i == 0 ? 0 : bounds[i - 1];
                return lower + (bounds[i] - lower) * ((rank - below) / counts[i]);
            }
            below += counts[i];
        }
        return bounds[^1];
    }
}
