using System.Diagnostics;
using System.Runtime;
using Microsoft.Extensions.Logging;
using Tunicorn.Control;

namespace Tunicorn.Thrift;

/// <summary>
/// The memory a worker's calls may hold at once, as estimated from what their messages announce
/// (<see cref="MessageMemoryAccount"/>), and the give-back after an outsized message: once no call holds memory, a
/// compacting collection returns the pages the message's objects used (issue 11.4: a worker that decoded 10M empty
/// structs stayed at 503 MB long after the call).
/// </summary>
/// <remarks>One per worker, shared by all its connections; thread-safe.</remarks>
internal sealed partial class MessageMemoryBudget
{
    /// <summary>A message charged this much or more is outsized: the heap is compacted once the worker is idle after it.</summary>
    public const long OutsizedMessageBytes = 16L * 1024 * 1024;

    /// <summary>
    /// At most one compaction this often: a client sending outsized messages in a loop must not keep the worker in
    /// full blocking collections.
    /// </summary>
    private static readonly TimeSpan MinTrimInterval = TimeSpan.FromSeconds(2);

    /// <summary>How long the worker must hold no message memory before it compacts: idle, not between two calls of a burst.</summary>
    private static readonly TimeSpan IdleDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Resident growth since the last compaction that makes the heap watch compact: strings and binaries a client
    /// announced but never sent, or the app's own garbage, which no collection count charges (the long fuzz run left
    /// workers at 230 MB without it).
    /// </summary>
    public const long HeapGrowthToTrim = 64L * 1024 * 1024;

    private static readonly TimeSpan HeapWatchInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Compactions in a row that left the heap grown before the watch takes the grown size as its new base: the growth
    /// is memory the app holds, not garbage. Each waits twice as long as the one before (2, 4, 8, 16, 32 s).
    /// </summary>
    private const int UnproductiveTrimsToAccept = 5;

    private readonly Lock _gate = new();
    private long _residentAfterTrim;
    private Timer? _heapWatch;
    private long _inFlight;
    private bool _trimPending;
    private long _lastTrim;
    private Timer? _trimTimer;
    private long _largestSinceTrim;
    private int _unproductiveTrims;
    private readonly ILogger? _log;

    /// <param name="limit">Bytes the calls in flight may hold; 0 for no limit (outsized messages are still given back).</param>
    /// <param name="log">Where each compaction is reported, with the process's resident memory before and after.</param>
    public MessageMemoryBudget(long limit, ILogger? log = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        Limit = limit;
        _log = log;
    }

    /// <summary>Bytes the calls in flight may hold; 0 for no limit.</summary>
    public long Limit { get; }

    /// <summary>Bytes the calls in flight hold now, as estimated.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>How many times the heap was compacted after an outsized message.</summary>
    public int Trims { get; private set; }

    /// <summary>Adds <paramref name="bytes"/> when they fit; false (nothing added) when they would pass the limit.</summary>
    public bool TryCharge(long bytes, out long inFlight)
    {
        lock (_gate)
        {
            inFlight = _inFlight;
            if (Limit > 0 && _inFlight + bytes > Limit)
                return false;
            _inFlight += bytes;
            return true;
        }
    }

    /// <summary>
    /// Looks every few seconds whether the process grew by <see cref="HeapGrowthToTrim"/> since the last compaction
    /// (or since this call), and compacts when no call holds charged memory. A worker calls it once it serves.
    /// </summary>
    public void WatchHeap()
    {
        lock (_gate)
        {
            _residentAfterTrim = ResidentBytes();
            _heapWatch ??= new Timer(static state => ((MessageMemoryBudget)state!).CheckHeap(), this, HeapWatchInterval, HeapWatchInterval);
        }
    }

    /// <summary>
    /// The process's resident memory (<see cref="ProcessMemory.ResidentBytes"/>); Environment.WorkingSet only without /proc.
    /// </summary>
    internal static long ResidentBytes() => ProcessMemory.ResidentBytes(Environment.ProcessId) ?? Environment.WorkingSet;

    private void CheckHeap()
    {
        long resident = ResidentBytes();
        lock (_gate)
        {
            if (_inFlight != 0 || _trimPending || resident < _residentAfterTrim + HeapGrowthToTrim)
                return;
            if (_lastTrim != 0 && Stopwatch.GetElapsedTime(_lastTrim) < MinTrimInterval * (1 << _unproductiveTrims))
                return;
            _trimPending = true;
        }
        TrimIfIdle();
    }

    /// <summary>
    /// Gives back what one message was charged (<paramref name="messageBytes"/>, all of it at once), and compacts the
    /// heap soon after when it was outsized and no call holds memory any more.
    /// </summary>
    public void Release(long messageBytes)
    {
        if (messageBytes <= 0)
            return;
        lock (_gate)
        {
            _inFlight -= messageBytes;
            if (messageBytes >= OutsizedMessageBytes)
            {
                _trimPending = true;
                _largestSinceTrim = Math.Max(_largestSinceTrim, messageBytes);
            }
            if (_trimPending && _inFlight == 0)
                ScheduleTrimLocked();
        }
    }

    /// <summary>
    /// Trims after <see cref="IdleDelay"/>, or when <see cref="MinTrimInterval"/> has passed since the last trim if
    /// later. Not at once: the connection that released is still unwinding the call that held the objects.
    /// </summary>
    private void ScheduleTrimLocked()
    {
        var wait = IdleDelay;
        if (_lastTrim != 0 && MinTrimInterval - Stopwatch.GetElapsedTime(_lastTrim) is var left && left > wait)
            wait = left;
        _trimTimer ??= new Timer(static state => ((MessageMemoryBudget)state!).TrimIfIdle(), this, Timeout.Infinite, Timeout.Infinite);
        _trimTimer.Change(wait, Timeout.InfiniteTimeSpan);
    }

    private void TrimIfIdle()
    {
        long largest;
        lock (_gate)
        {
            // A call that started meanwhile may be building an outsized message again: its release trims.
            if (!_trimPending || _inFlight != 0)
                return;
            _trimPending = false;
            _lastTrim = Stopwatch.GetTimestamp();
            largest = _largestSinceTrim;
            _largestSinceTrim = 0;
            Trims++;
        }
        long before = ResidentBytes();
        // Aggressive: compact every generation, the large object heap too, and decommit what is free, so that the
        // worker's RSS falls back instead of keeping the peak for the next outsized message.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        long after = ResidentBytes();
        lock (_gate)
        {
            // A compaction while the growth is still live (a string a client is still sending, which nothing charges)
            // frees little: the base stays where it was, so that the watch compacts again, later, once it is garbage.
            if (after < _residentAfterTrim + HeapGrowthToTrim || ++_unproductiveTrims >= UnproductiveTrimsToAccept)
            {
                _residentAfterTrim = after;
                _unproductiveTrims = 0;
            }
        }
        if (_log is null)
            return;
        if (largest > 0)
            HeapCompacted(_log, Environment.ProcessId, Mib(largest), Mib(before), Mib(after));
        else
            HeapCompactedAfterGrowth(_log, Environment.ProcessId, Mib(before), Mib(after));
    }

    private static double Mib(long bytes) => Math.Round(bytes / (1024.0 * 1024), 1);

    [LoggerMessage(EventId = Logging.EventIds.Thrift + 30, Level = LogLevel.Information,
        Message = "Worker (pid: {Pid}) compacted its heap after a message of about {MessageMib} MiB: resident {BeforeMib} MiB -> {AfterMib} MiB")]
    private static partial void HeapCompacted(ILogger logger, int pid, double messageMib, double beforeMib, double afterMib);

    [LoggerMessage(EventId = Logging.EventIds.Thrift + 31, Level = LogLevel.Information,
        Message = "Worker (pid: {Pid}) compacted its heap, grown by more than 64 MiB since it last did: resident {BeforeMib} MiB -> {AfterMib} MiB")]
    private static partial void HeapCompactedAfterGrowth(ILogger logger, int pid, double beforeMib, double afterMib);
}
