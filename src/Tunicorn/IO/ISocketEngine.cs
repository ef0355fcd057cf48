using Thrift.Transport;

namespace Tunicorn.IO;

/// <summary>
/// How the bytes of one connection go in and out of its socket: <see cref="ReadinessLoopEngine"/> (the worker's epoll
/// loop, for plain connections), <see cref="DotNetSocketEngine"/> (.NET's socket engine, when there is no loop) or
/// <see cref="Tls.TlsEngine"/> (the connection's SslStream). Buffering, size limits and deadlines are the transport's
/// (Thrift.SocketTransport); an engine only moves bytes and says what its failures mean.
/// </summary>
/// <remarks>
/// One waiter at a time per direction, as a connection reads and writes in turn. A wait that the token ends throws
/// whatever the engine's I/O throws then (<see cref="OperationCanceledException"/>, or a socket or stream error from
/// an operation cancelled under it): the caller knows which of its limits fired. Other failures are either a
/// <see cref="TTransportException"/> already, or a <see cref="System.Net.Sockets.SocketException"/> or
/// <see cref="IOException"/> that <see cref="Failure"/> translates. Disposing an engine never closes the socket: the
/// connection does, after the engine is disposed (a readiness loop must stop watching a descriptor first).
/// </remarks>
internal interface ISocketEngine : IAsyncDisposable
{
    /// <summary>
    /// Reads what the socket already holds, without waiting (and so without a timer): true with the count (0 when the
    /// peer closed its end), false when a read would have to wait. An engine that cannot read without waiting always
    /// answers false, and <see cref="ReceiveAsync"/> does the read.
    /// </summary>
    bool TryReceive(Span<byte> buffer, out int received);

    /// <summary>Waits for at least one byte and reads what is there; 0 only when the peer closed its end.</summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>
    /// Sends without waiting: true when all of <paramref name="data"/> left; false when the rest must wait for room
    /// (<paramref name="data"/> is then what is left), or when the engine cannot send without waiting.
    /// </summary>
    bool TrySend(ref ReadOnlyMemory<byte> data);

    /// <summary>Sends all of <paramref name="data"/>, waiting for room as needed.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>
    /// What a <see cref="System.Net.Sockets.SocketException"/> or <see cref="IOException"/> thrown by this engine's I/O
    /// means for Thrift, when no cancellation explains it: the kind (EndOfFile for a peer that went away) and a message
    /// an operator can read.
    /// </summary>
    TTransportException Failure(Exception error);
}
