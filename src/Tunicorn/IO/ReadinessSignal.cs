using System.Threading.Tasks.Sources;

namespace Tunicorn.IO;

/// <summary>
/// One direction (read or write) of a socket registered with a <see cref="ReadinessLoop"/>: counts the readiness
/// events the loop saw, and lets one waiter at a time wait for the next one.
/// </summary>
/// <remarks>
/// Edge-triggered epoll reports new bytes (or new room to write) once, so a waiter compares the count with the one it
/// read before its last read or write found nothing: if an event came in between, it does not wait. A notification
/// completes the waiter on the loop thread, inline, so a call that arrives whole is read, run and answered without
/// leaving that thread; a cancellation completes it on the thread pool, never inside the canceller.
/// </remarks>
internal sealed class ReadinessSignal : IValueTaskSource
{
    private const int Idle = 0;
    private const int Waiting = 1;

    private ManualResetValueTaskSourceCore<bool> _core;
    private CancellationTokenRegistration _cancellation;
    private CancellationToken _token;
    private long _events;
    private int _state;
    private volatile bool _final;

    /// <summary>Readiness events seen so far; read it before a read or write that may find nothing.</summary>
    public long Events => Volatile.Read(ref _events);

    /// <summary>
    /// The peer closed its end or the socket failed: no event may follow, so every read must go to the socket.
    /// (A short read leaves the socket empty of bytes, but not of the end of the stream that came with them.)
    /// </summary>
    public bool IsFinal => _final;

    /// <summary>Loop thread: the socket became ready; wakes the waiter, if any, on this thread.</summary>
    /// <param name="final">The event reports a hang-up or an error.</param>
    public void Notify(bool final = false)
    {
        if (final)
            _final = true;
        Interlocked.Increment(ref _events);
        if (TryClaim())
            _core.SetResult(true);
    }

    /// <summary>
    /// Completes when an event arrives after <paramref name="seen"/> (at once if one already has), or throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first. One waiter at a time.
    /// </summary>
    public ValueTask WaitAsync(long seen, CancellationToken cancellationToken)
    {
        if (Events != seen)
            return ValueTask.CompletedTask;
        if (cancellationToken.IsCancellationRequested)
            return ValueTask.FromCanceled(cancellationToken);

        _core.Reset();
        _token = cancellationToken;
        // A full fence, not a volatile write: the load of the count below must not move before this store, or a
        // Notify in between would find no waiter while this finds no new event (store-load reordering).
        Interlocked.Exchange(ref _state, Waiting);
        if (Events != seen)
        {
            // The event came while arming. If Notify claimed the wait first, it completes the source.
            if (TryClaim())
                return ValueTask.CompletedTask;
        }
        else if (cancellationToken.CanBeCanceled)
        {
            // Runs the callback here if the token fired meanwhile. Disposed in GetResult, once the wait is over.
            _cancellation = cancellationToken.UnsafeRegister(static state => ((ReadinessSignal)state!).Cancel(), this);
        }
        return new ValueTask(this, _core.Version);
    }

    private bool TryClaim() => Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting;

    private void Cancel()
    {
        if (TryClaim())
            ThreadPool.UnsafeQueueUserWorkItem(static signal => signal._core.SetException(new OperationCanceledException(signal._token)), this, preferLocal: false);
    }

    void IValueTaskSource.GetResult(short token)
    {
        // Never blocks: the registration's callback either ran (and only queued work) or never will.
        _cancellation.Dispose();
        _cancellation = default;
        _token = default;
        _core.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
