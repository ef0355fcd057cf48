namespace Tunicorn.Bench.LoadGen;

/// <summary>
/// Latency counts in log-linear buckets, as HdrHistogram lays them out: values below 256 ns have a bucket
/// each; above, every power of two is split into 128 buckets, so a reported value is within 0.8% of the
/// real one. Recording is an index computation and an increment: no allocation, no lock. One histogram per
/// connection; <see cref="Add"/> merges them after the run.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits;       // 128 buckets per power of two
    private const int LinearLimit = 2 * SubBuckets;          // values below this have a bucket each
    private const int MaxExponent = 36;                       // 2^37 ns ≈ 137 s; larger values share the last bucket
    private const int BucketCount = LinearLimit + (MaxExponent - SubBucketBits) * SubBuckets;

    private readonly long[] _counts = new long[BucketCount];

    public long Count { get; private set; }
    public long SumNanoseconds { get; private set; }
    public long MinNanoseconds { get; private set; } = long.MaxValue;
    public long MaxNanoseconds { get; private set; }

    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0)
            nanoseconds = 0;
        _counts[IndexOf(nanoseconds)]++;
        Count++;
        SumNanoseconds += nanoseconds;
        if (nanoseconds < MinNanoseconds)
            MinNanoseconds = nanoseconds;
        if (nanoseconds > MaxNanoseconds)
            MaxNanoseconds = nanoseconds;
    }

    public void Add(LatencyHistogram other)
    {
        for (int i = 0; i < BucketCount; i++)
            _counts[i] += other._counts[i];
        Count += other.Count;
        SumNanoseconds += other.SumNanoseconds;
        MinNanoseconds = Math.Min(MinNanoseconds, other.MinNanoseconds);
        MaxNanoseconds = Math.Max(MaxNanoseconds, other.MaxNanoseconds);
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1): the highest value of its bucket, capped at the maximum seen.</summary>
    public long ValueAtQuantile(double q)
    {
        if (Count == 0)
            return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(q * Count));
        long seen = 0;
        for (int i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
                return Math.Min(HighestEquivalent(i), MaxNanoseconds);
        }
        return MaxNanoseconds;
    }

    public double MeanNanoseconds => Count == 0 ? 0 : (double)SumNanoseconds / Count;

    internal static int IndexOf(long value)
    {
        if (value < LinearLimit)
            return (int)value;
        int exponent = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)value);
        if (exponent > MaxExponent)
            return BucketCount - 1;
        int shift = exponent - SubBucketBits;
        int mantissa = (int)(value >> shift) - SubBuckets;   // 0..127
        return LinearLimit + (exponent - SubBucketBits - 1) * SubBuckets + mantissa;
    }

    internal static long HighestEquivalent(int index)
    {
        if (index < LinearLimit)
            return index;
        int offset = index - LinearLimit;
        int shift = offset / SubBuckets + 1;
        long mantissa = offset % SubBuckets + SubBuckets;
        return ((mantissa + 1) << shift) - 1;
    }
}
