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
    // A wait whose token is registered for this wait only (WaitAsync).
    private const int Waiting = 1;
    // A wait whose token's registration stays for the next wait with the same token (WaitKeepingRegistrationAsync).
    private const int WaitingKept = 2;

    private ManualResetValueTaskSourceCore<bool> _core;
    private CancellationTokenRegistration _cancellation;
    // A connection's waits between calls pass the same token every time: registering and unregistering it at every
    // call cost more than the rest of the wait. Its callback ends only a wait in WaitingKept state.
    private CancellationTokenRegistration _kept;
    private CancellationToken _keptFor;
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
        // A claim that fails because a wait was armed meanwhile is harmless: that wait sees the new count itself.
        int waiting = Volatile.Read(ref _state);
        if (waiting != Idle && TryClaim(waiting))
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

        Arm(Waiting, cancellationToken);
        if (Events != seen)
        {
            // The event came while arming. If Notify claimed the wait first, it completes the source.
            if (TryClaim(Waiting))
                return ValueTask.CompletedTask;
        }
        else if (cancellationToken.CanBeCanceled)
        {
            // Runs the callback here if the token fired meanwhile. Disposed in GetResult, once the wait is over.
            _cancellation = cancellationToken.UnsafeRegister(static state => ((ReadinessSignal)state!).Cancel(Waiting), this);
        }
        return new ValueTask(this, _core.Version);
    }

    /// <summary>
    /// <see cref="WaitAsync"/> for a token that the next waits pass again (a connection's wait between calls): its
    /// registration stays until a wait passes another token here or <see cref="ReleaseCancellation"/>. Never pass a token
    /// whose source is reset (<see cref="CancellationTokenSource.TryReset"/>): that drops the registration unseen.
    /// </summary>
    public ValueTask WaitKeepingRegistrationAsync(long seen, CancellationToken cancellationToken)
    {
        if (Events != seen)
            return ValueTask.CompletedTask;
        if (cancellationToken.IsCancellationRequested)
            return ValueTask.FromCanceled(cancellationToken);

        if (cancellationToken != _keptFor)
        {
            // Before arming, and Dispose rather than Unregister: once it returns, the callback of the previous token has
            // run or never will, so it cannot end this wait.
            _kept.Dispose();
            _keptFor = cancellationToken;
            _kept = cancellationToken.CanBeCanceled
                ? cancellationToken.UnsafeRegister(static state => ((ReadinessSignal)state!).Cancel(WaitingKept), this)
                : default;
        }
        Arm(WaitingKept, cancellationToken);
        // The event, or the token's firing, may have come while arming and found no waiter.
        if ((Events != seen || cancellationToken.IsCancellationRequested) && TryClaim(WaitingKept))
            return Events != seen ? ValueTask.CompletedTask : ValueTask.FromCanceled(cancellationToken);
        return new ValueTask(this, _core.Version);
    }

    /// <summary>The socket leaves the loop: a kept registration must not keep this signal (and its connection) alive.</summary>
    public void ReleaseCancellation()
    {
        _kept.Unregister();
        _kept = default;
        _keptFor = default;
    }

    private void Arm(int waiting, CancellationToken cancellationToken)
    {
        _core.Reset();
        _token = cancellationToken;
        // A full fence, not a volatile write: the loads after it must not move before this store, or a Notify (or the
        // token's callback) in between would find no waiter while the waiter finds no event (store-load reordering).
        Interlocked.Exchange(ref _state, waiting);
    }

    private bool TryClaim(int waiting) => Interlocked.CompareExchange(ref _state, Idle, waiting) == waiting;

    private void Cancel(int waiting)
    {
        if (TryClaim(waiting))
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
