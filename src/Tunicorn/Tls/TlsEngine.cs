using System.Net.Security;
using System.Net.Sockets;
using Thrift.Transport;
using Tunicorn.IO;

namespace Tunicorn.Tls;

/// <summary>
/// The socket engine of a TLS connection: every byte goes through its authenticated <see cref="SslStream"/>, over .NET's
/// socket engine (the stream reads and writes the socket itself, so the readiness loop has no part in it). Made by
/// <see cref="ServerTls.AcceptAsync"/> once the handshake succeeded.
/// </summary>
internal sealed class TlsEngine(SslStream stream) : ISocketEngine
{
    // A record may already be decrypted inside the stream, but only a read can tell: no read without waiting here.
    public bool TryReceive(Span<byte> buffer, out int received)
    {
        received = 0;
        return false;
    }

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) => stream.ReadAsync(buffer, cancellationToken);

    public bool TrySend(ref ReadOnlyMemory<byte> data) => false;

    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => stream.WriteAsync(data, cancellationToken);

    /// <summary>What the TLS stream reports: a socket error inside, or a broken or truncated TLS record.</summary>
    public TTransportException Failure(Exception error) => error switch
    {
        IOException { InnerException: SocketException socketError } => SocketFailures.From(socketError),
        IOException streamError => new TTransportException(TTransportException.ExceptionType.EndOfFile, $"TLS stream failed: {streamError.Message}", streamError),
        SocketException socketError => SocketFailures.From(socketError),
        _ => SocketFailures.Closed(error),
    };

    /// <summary>Disposes the stream (and the NetworkStream under it, which does not own the socket).</summary>
    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
