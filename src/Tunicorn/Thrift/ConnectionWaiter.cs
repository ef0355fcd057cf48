using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tunicorn.Thrift;

/// <summary>
/// Waits for the first byte of a connection's next call, ended early by the idle timeout, by
/// <c>stopBetweenCalls</c>, by <c>abort</c> or by the worker closing its longest-idle connection to admit a new
/// one (<see cref="TryEvict"/>). This wait is the only place a graceful stop or an eviction closes a connection,
/// so a client never loses a call the server has begun to read.
/// </summary>
/// <remarks>
/// One linked token source serves every wait of the connection until it fires, so waiting allocates nothing, and the
/// socket's registration on its token stays from one wait to the next.
/// </remarks>
internal sealed class ConnectionWaiter(TimeSpan? idleTimeout, CancellationToken stopBetweenCalls, CancellationToken abort) : IDisposable
{
    private readonly Lock _gate = new();
    private CancellationTokenSource? _source;
    // Stopwatch ticks when the current wait began; 0 while the connection is not waiting (in a call).
    private long _idleSince;
    private bool _evicted;

    /// <summary>
    /// Since when the connection has been idle (Stopwatch ticks: its last reply, else the start of its wait), or 0 when
    /// it is not waiting for a call.
    /// </summary>
    public long IdleSince => Volatile.Read(ref _idleSince);

    /// <summary>
    /// Any thread: ends the current wait with <see cref="WaitOutcome.Evicted"/>; false when the connection is not
    /// waiting between calls (a call is being read or run), and then nothing happens.
    /// </summary>
    public bool TryEvict()
    {
        lock (_gate)
        {
            if (_idleSince == 0 || _evicted || _source is null)
                return false;
            _evicted = true;
            // The readiness loop's wait completes on the thread pool when cancelled, never inside this lock.
            _source.Cancel();
            return true;
        }
    }

    // Suspends once a call on a persistent connection: pooled, so that waiting allocates no box each time.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<WaitOutcome> WaitAsync(SocketTransport endpoint)
    {
        // Idle from the moment the reply began to leave, not from when this wait began: the worker's own work after a
        // reply (logs, hooks, a thread descheduled on a busy machine) must not make a connection look idle for less
        // time than one its client opened later, or the worker would close the wrong one first.
        long replied = endpoint.TakeReplyFlushTime();

        // A pipelined call is already here: no timer, no token.
        if (endpoint.HasBufferedData)
            return WaitOutcome.CallArrived;

        CancellationTokenSource source;
        lock (_gate)
        {
            // A source that fired (during the last wait, or as it ended, too late for its idle timer to be stopped)
            // must not end this wait: a new one. (A stop or an abort gives the new source its tokens' state at once.)
            if (_source is { IsCancellationRequested: true } fired)
            {
                fired.Dispose();
                _source = null;
                _evicted = false;
            }
            source = _source ??= CancellationTokenSource.CreateLinkedTokenSource(stopBetweenCalls, abort);
            Volatile.Write(ref _idleSince, replied != 0 ? replied : Stopwatch.GetTimestamp());
        }
        if (idleTimeout is { } timeout)
            source.CancelAfter(timeout);
        try
        {
            return await endpoint.WaitForDataAsync(source.Token) ? WaitOutcome.CallArrived : WaitOutcome.PeerClosed;
        }
        catch (OperationCanceledException) when (source.IsCancellationRequested)
        {
            return abort.IsCancellationRequested ? WaitOutcome.Aborted
                : stopBetweenCalls.IsCancellationRequested ? WaitOutcome.Stopping
                : _evicted ? WaitOutcome.Evicted
                : WaitOutcome.IdleTimeout;
        }
        finally
        {
            lock (_gate)
            {
                Volatile.Write(ref _idleSince, 0);
                // Not TryReset, which would drop the socket's registration on the token, kept from wait to wait
                // (ReadinessSignal). Only the idle timer needs stopping while a call runs; a source that fired is
                // replaced when the next wait begins.
                if (idleTimeout is not null)
                    source.CancelAfter(Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _source?.Dispose();
            _source = null;
        }
    }
}
