using System.Text;
using Tunicorn.Interop;
using Tunicorn.WorkerContract;

namespace Tunicorn.Metrics;

/// <summary>
/// Every worker's counters and histograms, in the memory the master shares with its workers (after the
/// <see cref="ConnectionBoard"/>, with the same slot numbers). A worker writes only its own slot: its connection
/// counters with Interlocked adds as they happen, its call counters (calls in flight and every series' sums and
/// buckets) by <see cref="Publish"/> every <see cref="PublishInterval"/>, from copies its threads count into with plain
/// adds (<see cref="CallStarted(long[])"/>, <see cref="RecordCall(long[], int, long, long, long)"/>). The master reads
/// every assigned slot and, when a worker exits, folds its slot into totals it keeps (<see cref="MetricsAggregator"/>).
/// </summary>
/// <remarks>
/// Why shared memory rather than the report channel: no system call and no parsing in the master, and a worker
/// killed with SIGKILL leaves what it published readable: it loses at most the calls of its last
/// <see cref="PublishInterval"/> (a worker that exits any other way publishes at its exit). Why the call counters are
/// published rather than added to the slot as each call ends: eight atomic adds a call on lines of shared memory
/// that the worker's threads on other cores write too cost more than a per-thread plain add (bench/MetricsCost,
/// bench/results/2026-12-07-1745-metrics-ab.md). Layout of a slot, all 64-bit integers: a header (connections by format,
/// calls in flight, rejections, bad input, series in use), then <see cref="MaxSeries"/> series, each a key
/// (<c>rpc.method</c>, a newline, <c>error.type</c>) and its counters. A thread's copy has the same layout; only
/// its call counters are used.
/// </remarks>
internal sealed class MetricsBoard
{
    public const int MaxSeries = 64;

    /// <summary>How often a worker copies its threads' call counters into its slot: what the master sees lags by at most this.</summary>
    public static readonly TimeSpan PublishInterval = TimeSpan.FromMilliseconds(250);
    private const int KeyBytes = 120;

    // Slot header, in longs.
    private static readonly int ActiveBase = 0;
    private static readonly int TotalBase = ConnectionFormat.Count;
    private static readonly int InFlightAt = 2 * ConnectionFormat.Count;
    private static readonly int EvictedAt = InFlightAt + 1;
    private static readonly int OutOfDescriptorsAt = InFlightAt + 2;
    private static readonly int BadInputAt = InFlightAt + 3;
    private static readonly int SeriesCountAt = InFlightAt + 4;
    private const int HeaderLongs = 32;

    // A series, in longs from its start: the key's length, the key, then the counters.
    private const int KeyLongs = 1 + KeyBytes / sizeof(long);
    internal const int CountAt = KeyLongs;
    internal const int DurationSumAt = CountAt + 1;
    internal const int DurationBucketsAt = DurationSumAt + 1;
    internal static readonly int RequestSumAt = DurationBucketsAt + MetricBuckets.DurationCount;
    internal static readonly int RequestBucketsAt = RequestSumAt + 1;
    internal static readonly int ResponseSumAt = RequestBucketsAt + MetricBuckets.SizeCount;
    internal static readonly int ResponseBucketsAt = ResponseSumAt + 1;
    private const int SeriesLongs = 60;
    /// <summary>Longs of a slot, and of a thread's copy of the call counters.</summary>
    internal const int SlotLongs = HeaderLongs + MaxSeries * SeriesLongs;

    /// <summary>Bytes of the whole board, every slot of the connection board.</summary>
    public const int Size = ConnectionBoard.Slots * SlotLongs * sizeof(long);

    /// <summary>The key of the last series, which takes every call once the others are in use (more methods or error types than fit).</summary>
    public const string OverflowMethod = "(other)";

    private readonly SharedMemory _memory;
    private readonly int _base;

    static MetricsBoard()
    {
        if (SeriesCountAt >= HeaderLongs || ResponseBucketsAt + MetricBuckets.SizeCount > SeriesLongs)
            throw new InvalidOperationException("the metrics board layout does not fit its slot");
    }

    private MetricsBoard(SharedMemory memory, int @base)
    {
        _memory = memory;
        _base = @base;
    }

    /// <summary>The board in the region of <paramref name="board"/>, after the connection board.</summary>
    public static MetricsBoard Of(ConnectionBoard board) => new(board.Region, ConnectionBoard.Size);

    private ref long At(int slot, int index) => ref _memory.Int64At(_base + (slot * SlotLongs + index) * sizeof(long));

    /// <summary>Throws unless <paramref name="slot"/> is a slot of the board: once, before a worker counts into it.</summary>
    public void CheckSlot(int slot) => ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)ConnectionBoard.Slots, nameof(slot));

    private static int SeriesStart(int series) => HeaderLongs + series * SeriesLongs;

    // ---- worker side: its own slot only ----

    public void ConnectionOpened(int slot) => Interlocked.Increment(ref At(slot, ActiveBase + ConnectionFormat.Unknown));

    /// <summary>The connection's format was detected: it moves from unknown to its format, and is counted there.</summary>
    public void ConnectionDetected(int slot, int format)
    {
        Interlocked.Decrement(ref At(slot, ActiveBase + ConnectionFormat.Unknown));
        Interlocked.Increment(ref At(slot, ActiveBase + format));
        Interlocked.Increment(ref At(slot, TotalBase + format));
    }

    /// <summary>A connection closed; one never detected is counted under unknown now.</summary>
    public void ConnectionClosed(int slot, int format)
    {
        Interlocked.Decrement(ref At(slot, ActiveBase + format));
        if (format == ConnectionFormat.Unknown)
            Interlocked.Increment(ref At(slot, TotalBase + ConnectionFormat.Unknown));
    }

    public void IdleConnectionEvicted(int slot) => Interlocked.Increment(ref At(slot, EvictedAt));

    public void AcceptOutOfDescriptors(int slot) => Interlocked.Increment(ref At(slot, OutOfDescriptorsAt));

    public void BadInput(int slot) => Interlocked.Increment(ref At(slot, BadInputAt));

    /// <summary>
    /// Claims the next series of the slot for <paramref name="method"/> and <paramref name="errorType"/>; the caller
    /// serializes claims (one writer per slot). Returns the series, or the overflow series when all are taken.
    /// </summary>
    public int ClaimSeries(int slot, string method, string? errorType)
    {
        CheckSlot(slot);
        int count = (int)Volatile.Read(ref At(slot, SeriesCountAt));
        if (count >= MaxSeries - 1)
        {
            if (count == MaxSeries - 1)
                PublishKey(slot, MaxSeries - 1, OverflowMethod, null);
            return MaxSeries - 1;
        }
        PublishKey(slot, count, method, errorType);
        return count;
    }

    private void PublishKey(int slot, int series, string method, string? errorType)
    {
        int start = SeriesStart(series);
        Span<byte> key = _memory.BytesAt(_base + (slot * SlotLongs + start + 1) * sizeof(long), KeyBytes);
        int length = EncodeKey(key, method, errorType);
        // The key first, then its length, then the count of series: a reader that sees the count sees a whole key.
        Volatile.Write(ref At(slot, start), length);
        Volatile.Write(ref At(slot, SeriesCountAt), series + 1);
    }

    private static int EncodeKey(Span<byte> key, string method, string? errorType)
    {
        // error.type keeps up to 40 bytes; the method has the rest. Both are ASCII-printable already (LogText.Printable).
        int errorLength = errorType is null ? 0 : Math.Min(40, Encoding.UTF8.GetByteCount(errorType));
        int methodRoom = KeyBytes - 1 - errorLength;
        int written = Utf8Prefix(method, key[..methodRoom]);
        key[written++] = (byte)'\n';
        if (errorType is not null)
            written += Utf8Prefix(errorType, key.Slice(written, errorLength));
        return written;
    }

    private static int Utf8Prefix(string text, Span<byte> into)
    {
        // Cut at a character boundary: a key must decode back to the same text in the master.
        var encoder = Encoding.UTF8.GetEncoder();
        encoder.Convert(text.AsSpan(), into, flush: true, out _, out int bytesUsed, out _);
        return bytesUsed;
    }

    // ---- a worker thread's copy of the call counters: plain adds, only that thread writes it ----

    public static void CallStarted(long[] counts) => counts[InFlightAt]++;

    public static void CallEnded(long[] counts) => counts[InFlightAt]--;

    /// <summary>Counts one finished call into <paramref name="series"/> of a thread's copy.</summary>
    public static void RecordCall(long[] counts, int series, long durationTicks, long requestBytes, long responseBytes)
    {
        int start = SeriesStart(series);
        // No count of its own: the master sums the duration buckets, so _count always equals the +Inf bucket.
        counts[start + DurationSumAt] += durationTicks;
        counts[start + DurationBucketsAt + MetricBuckets.DurationBucket(durationTicks)]++;
        counts[start + RequestSumAt] += requestBytes;
        counts[start + RequestBucketsAt + MetricBuckets.SizeBucket(requestBytes)]++;
        counts[start + ResponseSumAt] += responseBytes;
        counts[start + ResponseBucketsAt + MetricBuckets.SizeBucket(responseBytes)]++;
    }

    /// <summary>
    /// Writes the sum of the threads' copies into the slot: calls in flight and the counters of every series claimed.
    /// The caller serializes publications (one writer per slot), and a copy's counters only grow, so each published
    /// counter only grows too. A call that started on one thread and ended on another can make the sum of calls in
    /// flight read low for a moment; it never shows below zero.
    /// </summary>
    public void Publish(int slot, long[][] copies)
    {
        long inFlight = 0;
        foreach (long[] copy in copies)
            inFlight += Volatile.Read(ref copy[InFlightAt]);
        Volatile.Write(ref At(slot, InFlightAt), Math.Max(0, inFlight));
        int count = (int)Math.Min(MaxSeries, Volatile.Read(ref At(slot, SeriesCountAt)));
        int end = ResponseBucketsAt + MetricBuckets.SizeCount;
        for (int s = 0; s < count; s++)
        {
            int start = SeriesStart(s);
            for (int i = start + DurationSumAt; i < start + end; i++)
            {
                long sum = 0;
                foreach (long[] copy in copies)
                    sum += Volatile.Read(ref copy[i]);
                Volatile.Write(ref At(slot, i), sum);
            }
        }
    }

    // ---- master side ----

    /// <summary>Master: zeroes a slot before a new worker gets it.</summary>
    public void Clear(int slot)
    {
        for (int i = 0; i < SlotLongs; i++)
            Volatile.Write(ref At(slot, i), 0);
    }

    /// <summary>Master: what the worker of <paramref name="slot"/> counted so far, added into <paramref name="into"/>.</summary>
    public void AddSlotTo(int slot, MetricsTotals into, bool countersOnly)
    {
        for (int f = 0; f < ConnectionFormat.Count; f++)
        {
            into.ConnectionsTotal[f] += Volatile.Read(ref At(slot, TotalBase + f));
            if (!countersOnly)
                into.ConnectionsActive[f] += Volatile.Read(ref At(slot, ActiveBase + f));
        }
        if (!countersOnly)
            into.CallsInFlight += Volatile.Read(ref At(slot, InFlightAt));
        into.IdleConnectionsEvicted += Volatile.Read(ref At(slot, EvictedAt));
        into.AcceptsOutOfDescriptors += Volatile.Read(ref At(slot, OutOfDescriptorsAt));
        into.BadInput += Volatile.Read(ref At(slot, BadInputAt));

        int count = (int)Math.Min(MaxSeries, Volatile.Read(ref At(slot, SeriesCountAt)));
        for (int s = 0; s < count; s++)
        {
            int start = SeriesStart(s);
            int length = (int)Volatile.Read(ref At(slot, start));
            if (length <= 0 || length > KeyBytes)
                continue;
            var key = _memory.BytesAt(_base + (slot * SlotLongs + start + 1) * sizeof(long), length);
            var totals = into.SeriesFor(key);
            totals.DurationTicks += Volatile.Read(ref At(slot, start + DurationSumAt));
            for (int b = 0; b < MetricBuckets.DurationCount; b++)
            {
                long inBucket = Volatile.Read(ref At(slot, start + DurationBucketsAt + b));
                totals.DurationBuckets[b] += inBucket;
                totals.Count += inBucket;
            }
            totals.RequestBytes += Volatile.Read(ref At(slot, start + RequestSumAt));
            totals.ResponseBytes += Volatile.Read(ref At(slot, start + ResponseSumAt));
            for (int b = 0; b < MetricBuckets.SizeCount; b++)
            {
                totals.RequestBuckets[b] += Volatile.Read(ref At(slot, start + RequestBucketsAt + b));
                totals.ResponseBuckets[b] += Volatile.Read(ref At(slot, start + ResponseBucketsAt + b));
            }
        }
    }
}
