using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Tunicorn.Interop;

namespace Tunicorn.IO;

/// <summary>
/// A worker's socket engine: threads that wait in one edge-triggered epoll set and run whatever a readiness event
/// wakes, inline. A call that arrives whole costs one read and one write system call and no thread hop.
/// </summary>
/// <remarks>
/// Why not .NET's socket engine: its ReceiveAsync always tries a read first, which between calls finds nothing
/// (a third system call a call), and it hands every completion to the thread pool. Here a connection waits
/// without reading once its last read came back short (the kernel had nothing more), and the loop thread runs the
/// call that the event announced.
/// A handler that blocks holds its loop thread. When every loop thread has been busy with no progress for
/// <c>stallCheck</c> and the kernel says each is asleep (blocked, not waiting for a core: a loop thread that the
/// scheduler merely preempted must not count), another is started (up to <c>maxThreads</c>);
/// a thread beyond <c>minThreads</c> leaves after <see cref="IdleRetire"/> without events.
/// </remarks>
internal sealed partial class ReadinessLoop : IDisposable
{
    private const int MaxEvents = 256;
    private static readonly TimeSpan IdleRetire = TimeSpan.FromSeconds(5);
    // Bounds how long a loop thread takes to see Dispose.
    private const int WaitTimeoutMs = 1000;

    private readonly int _epoll;
    private readonly int _minThreads;
    private readonly int _maxThreads;
    private readonly TimeSpan _stallCheck;
    private readonly ILogger _log;
    private readonly Lock _slotsLock = new();
    private SocketReadiness?[] _slots = new SocketReadiness?[64];
    private uint[] _generations = new uint[64];
    private readonly Stack<int> _freeSlots = new();
    // Kernel thread ids of the loop threads, to read their scheduler state.
    private readonly ConcurrentDictionary<int, byte> _threadIds = new();
    private int _nextSlot;
    private int _threads;
    // Loop threads running the events of a batch (handlers included): only these can be stuck in a handler. A thread
    // that is starting or between two waits is not waiting in epoll either, but it blocks nothing.
    private int _busyThreads;
    private long _batches;
    private volatile bool _disposed;

    /// <param name="minThreads">Loop threads started at once and kept.</param>
    /// <param name="maxThreads">The most loop threads, when handlers block.</param>
    /// <param name="stallCheck">How long every loop thread may be stuck before another starts.</param>
    public ReadinessLoop(int minThreads, int maxThreads, TimeSpan stallCheck, ILogger log)
    {
        _stallCheck = stallCheck;
        _minThreads = Math.Max(1, minThreads);
        _maxThreads = Math.Max(_minThreads, maxThreads);
        _log = log;
        _epoll = Epoll.epoll_create1(Epoll.EPOLL_CLOEXEC);
        if (_epoll < 0)
            throw new InteropException("epoll_create1", Marshal.GetLastPInvokeError());
        for (int i = 0; i < _minThreads; i++)
            StartThread();
        if (_maxThreads == _minThreads)
            return;
        // A thread of its own rather than a timer: a timer wakes a thread-pool thread, which then spins before it
        // sleeps again, twenty times a second in a process whose pool is otherwise idle.
        new Thread(WatchForStalls) { IsBackground = true, Name = "tunicorn io watch" }.Start();
    }

    /// <summary>Loop threads running now (for tests and the log).</summary>
    public int Threads => Volatile.Read(ref _threads);

    /// <summary>
    /// Watches <paramref name="socket"/>, which this makes non-blocking: from now on read and write it only without
    /// blocking, waiting on the returned registration's signals.
    /// </summary>
    public SocketReadiness Register(Socket socket)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        socket.Blocking = false;
        SocketReadiness readiness;
        lock (_slotsLock)
        {
            int slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : _nextSlot++;
            if (slot >= _slots.Length)
            {
                // Loop threads read the table without the lock: they see the old array or the whole new one.
                var grown = new SocketReadiness?[_slots.Length * 2];
                Array.Copy(_slots, grown, _slots.Length);
                Volatile.Write(ref _slots, grown);
                Array.Resize(ref _generations, _generations.Length * 2);
            }
            readiness = new SocketReadiness(this, socket, slot, ++_generations[slot]);
            Volatile.Write(ref _slots[slot], readiness);
        }
        if (Epoll.Control(_epoll, Epoll.EPOLL_CTL_ADD, (int)socket.Handle, ReadEvents, Data(readiness)) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Free(readiness);
            throw new InteropException("epoll_ctl(EPOLL_CTL_ADD)", errno);
        }
        return readiness;
    }

    /// <summary>
    /// Before waiting to write: asks for write events too. Until a write is first refused, the loop hears only of reads
    /// (a socket is nearly always writable, and every read event would report it). epoll_ctl checks readiness at once
    /// and queues an event if the socket can already take bytes, so room made before this call is not missed.
    /// </summary>
    internal bool ArmWrite(SocketReadiness readiness) =>
        Epoll.Control(_epoll, Epoll.EPOLL_CTL_MOD, (int)readiness.Socket.Handle, ReadEvents | Epoll.EPOLLOUT, Data(readiness)) == 0;

    private const uint ReadEvents = Epoll.EPOLLIN | Epoll.EPOLLRDHUP | Epoll.EPOLLET;

    private static ulong Data(SocketReadiness readiness) => ((ulong)readiness.Generation << 32) | (uint)readiness.Slot;

    internal void Unregister(SocketReadiness readiness)
    {
        // The socket may already be closed (then the kernel dropped it from the set): nothing to report.
        _ = Epoll.Control(_epoll, Epoll.EPOLL_CTL_DEL, (int)readiness.Socket.Handle, 0, 0);
        Free(readiness);
    }

    private void Free(SocketReadiness readiness)
    {
        lock (_slotsLock)
        {
            if (!ReferenceEquals(_slots[readiness.Slot], readiness))
                return;
            // An event fetched before the removal may still be dispatched: it finds the slot empty, or another generation.
            Volatile.Write(ref _slots[readiness.Slot], null);
            _freeSlots.Push(readiness.Slot);
        }
    }

    private void StartThread()
    {
        int number = Interlocked.Increment(ref _threads);
        var thread = new Thread(Run) { IsBackground = true, Name = $"tunicorn io {number}" };
        thread.Start();
    }

    private unsafe void Run()
    {
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * Epoll.EventSize));
        int threadId = Libc.gettid();
        _threadIds[threadId] = 0;
        long idleSince = Stopwatch.GetTimestamp();
        bool retired = false;
        try
        {
            while (!_disposed)
            {
                int count = Epoll.epoll_wait(_epoll, events, MaxEvents, WaitTimeoutMs);
                if (count < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Epoll.EINTR)
                        continue;
                    if (!_disposed)
                        WaitFailed(_log, Environment.ProcessId, Marshal.GetPInvokeErrorMessage(errno));
                    return;
                }
                if (count == 0)
                {
                    if (Stopwatch.GetElapsedTime(idleSince) >= IdleRetire && TryRetire())
                    {
                        retired = true;
                        return;
                    }
                    continue;
                }
                idleSince = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref _busyThreads);
                Interlocked.Increment(ref _batches);
                try
                {
                    for (int i = 0; i < count; i++)
                        Dispatch(Epoll.EventsAt(events, i), Epoll.DataAt(events, i));
                }
                finally
                {
                    Interlocked.Decrement(ref _busyThreads);
                }
                // A loop thread that finds work on every wait never sleeps, so the scheduler preempts it at the end of
                // its slice, in the middle of a batch: every connection it holds then waits a slice of another thread.
                // Yielding between batches hands the CPU over at a boundary instead, and only when another thread wants
                // it. Measured (2 workers, client on the same 2 cores): p99 at 8 and 64 connections about halved,
                // calls/s unchanged. A batch of one (a single busy connection) does not yield: there it only cost.
                if (count >= 2)
                    Thread.Yield();
            }
        }
        finally
        {
            NativeMemory.Free(events);
            _threadIds.TryRemove(threadId, out _);
            // A retired thread was counted out by TryRetire, and never the last one.
            if (!retired && Interlocked.Decrement(ref _threads) == 0 && _disposed)
                _ = Epoll.close(_epoll);
        }
    }

    /// <summary>True, and counted out, if this thread is one beyond <c>minThreads</c>.</summary>
    private bool TryRetire()
    {
        int threads = Volatile.Read(ref _threads);
        while (threads > _minThreads)
        {
            int seen = Interlocked.CompareExchange(ref _threads, threads - 1, threads);
            if (seen == threads)
                return true;
            threads = seen;
        }
        return false;
    }

    private void Dispatch(uint events, ulong data)
    {
        int slot = (int)(uint)data;
        SocketReadiness?[] slots = Volatile.Read(ref _slots);
        if ((uint)slot >= (uint)slots.Length || Volatile.Read(ref slots[slot]) is not { } readiness || readiness.Generation != (uint)(data >> 32))
            return;
        try
        {
            // Errors and hang-ups wake both directions: the next read or write reports them.
            const uint hangUp = Epoll.EPOLLRDHUP | Epoll.EPOLLHUP | Epoll.EPOLLERR;
            bool final = (events & hangUp) != 0;
            if ((events & (Epoll.EPOLLIN | hangUp)) != 0)
                readiness.Read.Notify(final);
            if ((events & (Epoll.EPOLLOUT | Epoll.EPOLLHUP | Epoll.EPOLLERR)) != 0)
                readiness.Write.Notify((events & (Epoll.EPOLLHUP | Epoll.EPOLLERR)) != 0);
        }
        catch (Exception e)
        {
            // Continuations of async methods do not throw; this is a bug, and one connection must not stop the loop.
            DispatchFailed(_log, Environment.ProcessId, e);
        }
    }

    private void WatchForStalls()
    {
        long lastBatches = Interlocked.Read(ref _batches);
        while (!_disposed)
        {
            Thread.Sleep(_stallCheck);
            long batches = Interlocked.Read(ref _batches);
            int threads = Threads;
            // Every loop thread inside a batch, and none has started another since the last look: each is in a call.
            // (Counting threads out of epoll_wait instead took a thread still starting, or one asleep on the
            // runtime at boot, for a blocked handler: idle workers that served no call logged that a handler blocks.)
            bool stalled = batches == lastBatches && Volatile.Read(ref _busyThreads) >= threads;
            lastBatches = batches;
            if (!stalled || _disposed || threads >= _maxThreads || !AllLoopThreadsAsleep())
                continue;
            // Every loop thread is inside a call that has not returned for a while, and sleeps: a handler blocks.
            StartThread();
            ThreadAdded(_log, Environment.ProcessId, threads + 1, _stallCheck.TotalMilliseconds);
        }
    }

    /// <summary>True when no loop thread is running or runnable (state R in /proc): all of them wait on something.</summary>
    private bool AllLoopThreadsAsleep()
    {
        foreach (var (threadId, _) in _threadIds)
        {
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/self/task/{threadId}/stat");
            }
            catch (IOException)
            {
                continue; // the thread just exited
            }
            // "tid (name) S ...": the name may hold spaces and parentheses, the state follows the last ')'.
            int end = stat.LastIndexOf(')');
            if (end < 0 || end + 2 >= stat.Length || stat[end + 2] == 'R')
                return false;
        }
        return true;
    }

    public void Dispose() => _disposed = true;

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Loop threads of worker (pid: {Pid}) all busy for {Ms} ms: a handler blocks; started loop thread {Threads}")]
    private static partial void ThreadAdded(ILogger log, int pid, int threads, double ms);

    [LoggerMessage(Level = LogLevel.Critical, Message = "epoll_wait failed in worker (pid: {Pid}): {Error}; this loop thread stops")]
    private static partial void WaitFailed(ILogger log, int pid, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A readiness event of worker (pid: {Pid}) failed")]
    private static partial void DispatchFailed(ILogger log, int pid, Exception error);
}
