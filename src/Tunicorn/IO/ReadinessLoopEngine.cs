using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Thrift.Transport;

namespace Tunicorn.IO;

/// <summary>
/// The worker's own socket engine for plain connections: non-blocking reads and writes of a socket registered with the
/// <see cref="ReadinessLoop"/>, which wait on the loop's signals only when they find nothing (or no room).
/// </summary>
/// <remarks>
/// A read that found the socket empty is not repeated until the loop reports a read event: between calls a connection
/// waits without a read system call that finds nothing. Disposing the engine gives the registration back, so dispose it
/// before the socket.
/// </remarks>
internal sealed class ReadinessLoopEngine(SocketReadiness readiness) : ISocketEngine
{
    private readonly Socket _socket = readiness.Socket;
    // The last read found the socket empty, and how many read events the loop had seen before it.
    private bool _drained;
    private long _drainedAtEvent;

    /// <summary>
    /// One non-blocking read, skipped when the last one found the socket empty and no read event came since: false
    /// then, or when the read found nothing. A read that returns less than asked also leaves the socket empty (a
    /// stream socket hands over all it has), so between calls a connection waits without a read that finds nothing.
    /// </summary>
    public bool TryReceive(Span<byte> buffer, out int received)
    {
        ReadinessSignal read = readiness.Read;
        long seen = read.Events;
        if (_drained && seen == _drainedAtEvent && !read.IsFinal)
        {
            received = 0;
            return false;
        }
        received = _socket.Receive(buffer, SocketFlags.None, out SocketError error);
        if (error == SocketError.Success)
        {
            _drained = received < buffer.Length && received > 0;
            _drainedAtEvent = seen;
            return true;
        }
        if (error != SocketError.WouldBlock)
            throw SocketFailures.From(new SocketException((int)error));
        _drained = true;
        _drainedAtEvent = seen;
        received = 0;
        return false;
    }

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        TryReceive(buffer.Span, out int received) ? new ValueTask<int>(received) : ReceiveOnReadinessAsync(buffer, cancellationToken);

    /// <summary>
    /// Between calls, after <see cref="TryReceive"/> found nothing: completes when the loop reports a read event since (at
    /// once if one already came), or throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/>
    /// fires first. The token's registration stays for the next wait with the same token
    /// (<see cref="ReadinessSignal.WaitKeepingRegistrationAsync"/>): never pass one whose source is reset.
    /// </summary>
    public ValueTask ReadableBetweenCallsAsync(CancellationToken cancellationToken) =>
        readiness.Read.WaitKeepingRegistrationAsync(_drainedAtEvent, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveOnReadinessAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ReadinessSignal read = readiness.Read;
        while (true)
        {
            // Only a read that found nothing gets here (after a hang-up or an error a read always finds something).
            await read.WaitAsync(_drainedAtEvent, cancellationToken);
            if (TryReceive(buffer.Span, out int received))
                return received;
        }
    }

    /// <summary>Non-blocking writes until all of <paramref name="data"/> is sent (true) or the send buffer is full.</summary>
    public bool TrySend(ref ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            // A partial write is Success with its count; WouldBlock means the kernel took nothing (sent is 0).
            int sent = _socket.Send(data.Span, SocketFlags.None, out SocketError error);
            data = data[sent..];
            if (error == SocketError.WouldBlock)
                return false;
            if (error != SocketError.Success)
                throw SocketFailures.From(new SocketException((int)error));
        }
        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ReadinessSignal write = readiness.Write;
        while (true)
        {
            long seen = write.Events;
            if (TrySend(ref data))
                return;
            if (!readiness.ArmWrite())
                throw SocketFailures.Closed();
            await write.WaitAsync(seen, cancellationToken);
        }
    }

    // Reads and writes report their socket errors as TTransportException themselves; this is for completeness.
    public TTransportException Failure(Exception error) =>
        error is SocketException socketError ? SocketFailures.From(socketError) : SocketFailures.Closed(error);

    public ValueTask DisposeAsync()
    {
        readiness.Dispose();
        return ValueTask.CompletedTask;
    }
}
