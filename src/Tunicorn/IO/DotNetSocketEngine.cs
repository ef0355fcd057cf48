using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Thrift.Transport;

namespace Tunicorn.IO;

/// <summary>
/// .NET's own socket engine: <see cref="Socket.ReceiveAsync(Memory{byte}, SocketFlags, CancellationToken)"/> and
/// SendAsync, for a plain connection of a process without a <see cref="ReadinessLoop"/>. Both complete without
/// allocating when the socket is ready, and wait on .NET's epoll thread otherwise.
/// </summary>
internal sealed class DotNetSocketEngine(Socket socket) : ISocketEngine
{
    // .NET's ReceiveAsync tries the read itself before it waits: a read attempted here first would only be a second one.
    public bool TryReceive(Span<byte> buffer, out int received)
    {
        received = 0;
        return false;
    }

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public bool TrySend(ref ReadOnlyMemory<byte> data) => false;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        // Socket.SendAsync sends everything on a stream socket today; the loop keeps that an assumption-free fact.
        while (!data.IsEmpty)
            data = data[await socket.SendAsync(data, SocketFlags.None, cancellationToken)..];
    }

    public TTransportException Failure(Exception error) =>
        error is SocketException socketError ? SocketFailures.From(socketError) : SocketFailures.Closed(error);

    // The connection closes the socket.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
