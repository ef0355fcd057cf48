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
/// A handler that blocks holds its loop thread, and with it the rest of the batch of events that thread took from
/// epoll. A watcher looks every <c>stallCheck</c>: a thread that has been inside one event for that long has the
/// rest of its batch taken from it and re-armed in the epoll set (EPOLL_CTL_MOD queues an event again for a socket
/// that is still ready), where another thread finds it. When every loop thread is stuck so and the kernel says each
/// is asleep (blocked, not waiting for a core: a loop thread that the scheduler merely preempted must not count),
/// more are started (up to <c>maxThreads</c>): one for each event taken back, at least one. Threads started so take
/// one event per wait, so that a handler that blocks in one of them holds no other connection; they leave after
/// <see cref="IdleRetire"/> without events.
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
    // The loop threads, for the watcher: their batches and kernel thread ids (to read their scheduler state).
    private readonly ConcurrentDictionary<LoopThread, byte> _loopThreads = new();
    private int _nextSlot;
    private int _threads;
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
            StartThread(helper: false);
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
    internal bool ArmWrite(SocketReadiness readiness)
    {
        // Under the registration's lock: a re-arm by the watcher (Rearm) must not put back a mask without EPOLLOUT.
        lock (readiness)
        {
            readiness.WriteArmed = true;
            return Epoll.Control(_epoll, Epoll.EPOLL_CTL_MOD, (int)readiness.Socket.Handle, ReadEvents | Epoll.EPOLLOUT, Data(readiness)) == 0;
        }
    }

    /// <summary>
    /// Watcher: queues again the event of a socket whose event was taken back from a stuck thread's batch. EPOLL_CTL_MOD
    /// checks readiness at once, so a socket with bytes still unread (or a hang-up) gets a new event; one whose bytes
    /// were read meanwhile needs none.
    /// </summary>
    private void Rearm(ulong data)
    {
        int slot = (int)(uint)data;
        // Under the table's lock: the socket cannot be unregistered, closed and its number reused by another meanwhile.
        lock (_slotsLock)
        {
            if ((uint)slot >= (uint)_slots.Length || _slots[slot] is not { } readiness || readiness.Generation != (uint)(data >> 32))
                return;
            lock (readiness)
            {
                uint events = readiness.WriteArmed ? ReadEvents | Epoll.EPOLLOUT : ReadEvents;
                // Fails only when the socket is already gone; its reader hears of that from its own calls.
                _ = Epoll.Control(_epoll, Epoll.EPOLL_CTL_MOD, (int)readiness.Socket.Handle, events, data);
            }
        }
    }

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

    private void StartThread(bool helper)
    {
        int number = Interlocked.Increment(ref _threads);
        var loopThread = new LoopThread(helper ? 1 : MaxEvents, helper);
        var thread = new Thread(() => Run(loopThread)) { IsBackground = true, Name = $"tunicorn io {number}" };
        thread.Start();
    }

    private unsafe void Run(LoopThread self)
    {
        byte* events = (byte*)NativeMemory.Alloc((nuint)(self.MaxEvents * Epoll.EventSize));
        self.Events = events;
        self.ThreadId = Libc.gettid();
        _loopThreads[self] = 0;
        long idleSince = Stopwatch.GetTimestamp();
        bool retired = false;
        try
        {
            while (!_disposed)
            {
                // Waits for a watcher that is taking back the rest of the last batch: epoll_wait overwrites it.
                lock (self.Gate)
                {
                    self.Count = 0;
                    self.Next = 0;
                }
                self.Waiting = true;
                int count = Epoll.epoll_wait(_epoll, events, self.MaxEvents, WaitTimeoutMs);
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
                    if (self.IsHelper && Stopwatch.GetElapsedTime(idleSince) >= IdleRetire && TryRetire())
                    {
                        retired = true;
                        return;
                    }
                    continue;
                }
                idleSince = Stopwatch.GetTimestamp();
                Volatile.Write(ref self.Count, count);
                self.Waiting = false;
                // Each event is claimed before it runs: the watcher may take the unclaimed rest if one of them blocks.
                int i;
                while ((i = Interlocked.Increment(ref self.Next) - 1) < count)
                {
                    Volatile.Write(ref self.DispatchStarted, Stopwatch.GetTimestamp());
                    Dispatch(Epoll.EventsAt(events, i), Epoll.DataAt(events, i));
                }
                // Between batches the thread runs no handler: whatever delays it there (preemption, the runtime) is no
                // blocked call, and idle workers must never say a handler blocks.
                Volatile.Write(ref self.DispatchStarted, 0);
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
            _loopThreads.TryRemove(self, out _);
            lock (self.Gate)
            {
                self.Count = 0;
                self.Events = null;
            }
            NativeMemory.Free(events);
            // A retired thread was counted out by TryRetire, and never the last one.
            if (!retired && Interlocked.Decrement(ref _threads) == 0 && _disposed)
                _ = Epoll.close(_epoll);
        }
    }

    /// <summary>
    /// Watcher: takes the events that <paramref name="thread"/> fetched and has not run yet, and re-arms each in the epoll
    /// set for another thread; returns how many.
    /// </summary>
    private unsafe int TakeBack(LoopThread thread)
    {
        lock (thread.Gate)
        {
            int count = Volatile.Read(ref thread.Count);
            int next = Volatile.Read(ref thread.Next);
            // Claims the whole rest at once; the owner claims one at a time, so retry if it just took one.
            while (next < count)
            {
                int seen = Interlocked.CompareExchange(ref thread.Next, count, next);
                if (seen == next)
                    break;
                next = seen;
            }
            if (next >= count || thread.Events is null)
                return 0;
            for (int i = next; i < count; i++)
                Rearm(Epoll.DataAt(thread.Events, i));
            return count - next;
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
        while (!_disposed)
        {
            Thread.Sleep(_stallCheck);
            if (_disposed)
                return;
            // A thread is stuck when it is not waiting in epoll and began the event it runs (a handler) a whole
            // interval ago or more.
            int stuck = 0;
            int taken = 0;
            int threads = 0;
            long now = Stopwatch.GetTimestamp();
            foreach (var (thread, _) in _loopThreads)
            {
                threads++;
                long started = Volatile.Read(ref thread.DispatchStarted);
                if (thread.Waiting || started == 0 || Stopwatch.GetElapsedTime(started, now) < _stallCheck)
                    continue;
                stuck++;
                taken += TakeBack(thread);
            }
            int running = Threads;
            // A thread just started (not listed yet) or retiring (not counted any more) is not stuck.
            if (stuck < Math.Max(threads, running) || running >= _maxThreads || !AllLoopThreadsAsleep())
                continue;
            // Every loop thread is inside a call that has not returned for a while, and sleeps: handlers block. The events
            // taken back are calls that waited behind them; each may block too, so each gets a thread.
            int start = Math.Min(Math.Max(1, taken), _maxThreads - running);
            for (int i = 0; i < start; i++)
                StartThread(helper: true);
            ThreadsAdded(_log, Environment.ProcessId, start, running + start, _stallCheck.TotalMilliseconds, taken);
        }
    }

    /// <summary>True when no loop thread is running or runnable (state R in /proc): all of them wait on something.</summary>
    private bool AllLoopThreadsAsleep()
    {
        foreach (var (thread, _) in _loopThreads)
        {
            int threadId = thread.ThreadId;
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
        Message = "Loop threads of worker (pid: {Pid}) all busy for {Ms} ms: a handler blocks; started {Started} loop thread(s), now {Threads} ({Taken} waiting events handed over)")]
    private static partial void ThreadsAdded(ILogger log, int pid, int started, int threads, double ms, int taken);

    /// <summary>One loop thread: its batch of events, shared with the watcher, which may take back the part not yet run.</summary>
    private sealed unsafe class LoopThread(int maxEvents, bool isHelper)
    {
        public readonly Lock Gate = new();
        public readonly int MaxEvents = maxEvents;
        /// <summary>Started by the watcher while handlers block: takes one event per wait, and leaves when idle.</summary>
        public readonly bool IsHelper = isHelper;
        /// <summary>epoll_wait's output, owned by the thread; the watcher reads it only under <see cref="Gate"/>.</summary>
        public byte* Events;
        public int Count;
        /// <summary>The next event of the batch to run: claimed one at a time by the thread, or all at once by the watcher.</summary>
        public int Next;
        /// <summary>When the event being run began (Stopwatch ticks); written by the thread only.</summary>
        public long DispatchStarted;
        /// <summary>In epoll_wait (or not started yet). True at first, so that a thread still starting is not seen stuck.</summary>
        public volatile bool Waiting = true;
        public int ThreadId;
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "epoll_wait failed in worker (pid: {Pid}): {Error}; this loop thread stops")]
    private static partial void WaitFailed(ILogger log, int pid, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A readiness event of worker (pid: {Pid}) failed")]
    private static partial void DispatchFailed(ILogger log, int pid, Exception error);
}
