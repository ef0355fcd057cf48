using System.Runtime.CompilerServices;

namespace Tunicorn.Thrift;

/// <summary>
/// Bounds how many calls of a worker run at once (1 for sync, <c>threads</c> for threaded) over any number of
/// connections. A connection enters once its next call's first bytes have arrived and leaves once the reply is
/// flushed; with a turn free and no one waiting, the call goes on at once on the thread it is on (the readiness loop's,
/// as in async); connections that find every turn taken wait in one queue, get their turns oldest first, and run on a
/// call thread of the gate's.
/// </summary>
/// <remarks>
/// Fairness: a connection takes its place in the queue when it asks (<see cref="EnterAsync"/>), not when its await
/// gets round to registering a continuation, and a call that leaves hands its turn to the oldest waiting connection
/// before its own connection can ask again; so a connection that always has a call ready waits behind every
/// connection that was ready before it: it cannot hold another one back for more than one round.
/// Why inline when a turn is free: a hop to another thread for every call cost threaded with 128 threads three
/// quarters of its calls/s at 64 connections (bench/results/2026-12-07-1224.md against 2026-12-07-1221.md). A
/// handler that blocks a loop thread is covered as in async: the loop adds a thread once every one it has is blocked
/// (5 ms in threaded), up to one per turn plus one for I/O. Waiting calls need a thread to be handed to when a turn
/// frees; there are as many call threads as turns, so a granted call never waits for a thread behind a blocked handler.
/// The hot path allocates nothing: each connection waits with its own reusable <see cref="Waiter"/>.
/// </remarks>
internal sealed class CallGate : IDisposable
{
    private readonly int _capacity;
    // A monitor, not a Lock: the call threads wait on it for work.
    private readonly object _lock = new();
    // Connections waiting for a turn, oldest first.
    private readonly Queue<Waiter> _waiting = new();
    // Calls granted a turn that passed to them, not yet picked up by a call thread.
    private readonly Queue<Action> _runnable = new();
    private int _active;
    private int _idleRunners;
    private bool _released;
    private bool _disposed;

    /// <param name="capacity">Calls at once; as many call threads are started.</param>
    /// <param name="threadName">Names the call threads (with their number), for stack dumps and /proc.</param>
    public CallGate(int capacity, string threadName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        for (int i = 0; i < capacity; i++)
            new Thread(RunCalls) { IsBackground = true, Name = $"{threadName} {i + 1}" }.Start();
    }

    /// <summary>Calls holding a turn now.</summary>
    public int Active
    {
        get
        {
            lock (_lock)
                return _active;
        }
    }

    /// <summary>Connections with a call waiting for a turn.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
                return _waiting.Count;
        }
    }

    /// <summary>
    /// Waits for a turn, in the queue from this moment: at once when one is free, else the code after the await runs on
    /// a call thread once the turn passes to this connection. Each enter
    /// must be followed by one <see cref="Leave"/>. <paramref name="waiter"/> is the connection's own, used for one
    /// enter at a time. After <see cref="ReleaseAll"/> it returns at once without a turn (the worker is aborting).
    /// </summary>
    public Turn EnterAsync(Waiter waiter)
    {
        lock (_lock)
        {
            if (_released)
                return new Turn(this, waiter, entered: true);
            if (_active < _capacity && _waiting.Count == 0)
            {
                _active++;
                return new Turn(this, waiter, entered: true);
            }
            waiter.Arm();
            _waiting.Enqueue(waiter);
            return new Turn(this, waiter, entered: false);
        }
    }

    /// <summary>Gives the turn back: to the oldest waiting connection if there is one.</summary>
    public void Leave()
    {
        lock (_lock)
        {
            if (_released)
                return;
            if (_waiting.TryDequeue(out Waiter? next))
            {
                // The turn passes over as it is: _active stays.
                Grant(next);
                return;
            }
            if (_active > 0)
                _active--;
        }
    }

    /// <summary>
    /// The worker aborts: every waiting connection continues now without a turn (and sees the abort), and later
    /// enters no longer wait.
    /// </summary>
    public void ReleaseAll()
    {
        lock (_lock)
        {
            _released = true;
            while (_waiting.TryDequeue(out Waiter? next))
                Grant(next);
        }
    }

    /// <summary>Lets the call threads end once they run nothing.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            Monitor.PulseAll(_lock);
        }
    }

    // Under _lock: the waiter has its turn; its call runs once its await has registered where it goes on.
    private void Grant(Waiter waiter)
    {
        waiter.Granted = true;
        if (waiter.Continuation is { } continuation)
        {
            waiter.Continuation = null;
            Schedule(continuation);
        }
    }

    private void OnTurnAwaited(Waiter waiter, Action continuation)
    {
        lock (_lock)
        {
            if (waiter.Granted)
                Schedule(continuation);
            else
                waiter.Continuation = continuation;
        }
    }

    // Under _lock.
    private void Schedule(Action continuation)
    {
        _runnable.Enqueue(continuation);
        if (_idleRunners > 0)
            Monitor.Pulse(_lock);
    }

    private void RunCalls()
    {
        while (true)
        {
            Action? call;
            lock (_lock)
            {
                while (!_runnable.TryDequeue(out call))
                {
                    if (_disposed)
                        return;
                    _idleRunners++;
                    Monitor.Wait(_lock);
                    _idleRunners--;
                }
            }
            // Continuations of async methods do not throw: their exceptions end in their tasks.
            call();
        }
    }

    /// <summary>A connection's place in the queue, reused for each of its calls; all its state is under the gate's lock.</summary>
    internal sealed class Waiter
    {
        public bool Granted;
        public Action? Continuation;

        public void Arm()
        {
            Granted = false;
            Continuation = null;
        }
    }

    /// <summary>The awaitable of <see cref="EnterAsync"/>: completed when a turn was free.</summary>
    internal readonly struct Turn(CallGate gate, Waiter waiter, bool entered) : ICriticalNotifyCompletion
    {
        public Turn GetAwaiter() => this;

        public bool IsCompleted => entered;

        public void GetResult() { }

        public void OnCompleted(Action continuation) => gate.OnTurnAwaited(waiter, continuation);

        public void UnsafeOnCompleted(Action continuation) => gate.OnTurnAwaited(waiter, continuation);
    }
}
