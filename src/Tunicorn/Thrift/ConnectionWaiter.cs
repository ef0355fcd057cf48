namespace Tunicorn.Thrift;

/// <summary>
/// Waits for the first byte of a connection's next call, ended early by the idle timeout, by
/// <c>stopBetweenCalls</c> or by <c>abort</c>. This wait is the only place a graceful stop closes a connection,
/// so a client never loses a call the server has begun to read.
/// </summary>
/// <remarks>
/// One linked token source serves every wait of the connection: <see cref="CancellationTokenSource.TryReset"/>
/// re-arms it after each call, so waiting allocates nothing unless the source fired.
/// </remarks>
internal sealed class ConnectionWaiter(TimeSpan? idleTimeout, CancellationToken stopBetweenCalls, CancellationToken abort) : IDisposable
{
    private CancellationTokenSource? _source;

    public async ValueTask<WaitOutcome> WaitAsync(SocketTransport endpoint)
    {
        // A pipelined call is already here: no timer, no token.
        if (endpoint.HasBufferedData)
            return WaitOutcome.CallArrived;

        CancellationTokenSource source = _source ??= CancellationTokenSource.CreateLinkedTokenSource(stopBetweenCalls, abort);
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
                : WaitOutcome.IdleTimeout;
        }
        finally
        {
            // Fails only when the source fired (possibly just after the byte arrived): the next wait needs a new one.
            if (!source.TryReset())
            {
                source.Dispose();
                _source = null;
            }
        }
    }

    public void Dispose() => _source?.Dispose();
}
