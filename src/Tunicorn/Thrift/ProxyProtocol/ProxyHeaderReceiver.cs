using System.Net.Sockets;
using Tunicorn.IO;

namespace Tunicorn.Thrift.ProxyProtocol;

/// <summary>
/// Takes the PROXY header off an accepted socket and not one byte more: the bytes behind it are the connection's
/// (Thrift, or a TLS handshake) and stay in the socket for whoever reads next.
/// </summary>
/// <remarks>
/// Each round peeks at what the socket holds (MSG_PEEK, as the spec suggests), asks <see cref="ProxyHeaderParser.Scan"/>
/// how much of it is header, and reads exactly that. A proxy sends its header in one segment, so this is nearly always
/// one peek and one read. With the worker's readiness loop the waits go through its epoll set, so that the socket never
/// joins .NET's socket engine (which would then be woken by every later call of the connection as well).
/// </remarks>
internal static class ProxyHeaderReceiver
{
    // Holds every version 1 header and version 2 headers with a few TLVs; a longer one grows the buffer to its length.
    private const int InitialBuffer = 256;

    /// <param name="readiness">The socket's registration with the readiness loop, or null for .NET's socket engine.</param>
    /// <exception cref="ProxyHeaderException">The bytes are not a valid header.</exception>
    /// <exception cref="EndOfStreamException">The peer closed the connection before the header ended.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="SocketException">The socket failed.</exception>
    public static async Task<ProxyHeader> ReceiveAsync(Socket socket, SocketReadiness? readiness, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[InitialBuffer];
        int taken = 0;
        while (true)
        {
            int peeked = await PeekAsync(socket, readiness, buffer.AsMemory(taken), cancellationToken);
            if (peeked == 0)
                throw new EndOfStreamException(taken == 0
                    ? "the peer closed the connection before sending a PROXY header"
                    : $"the peer closed the connection after {taken} bytes of a PROXY header");
            ProxyHeaderScan scan = ProxyHeaderParser.Scan(buffer.AsSpan(0, taken + peeked));
            if (scan.InvalidReason is { } reason)
                throw new ProxyHeaderException(reason);
            int take = scan.NeedsMore ? peeked : Math.Min(peeked, scan.Length - taken);
            await ReadExactlyAsync(socket, readiness, buffer.AsMemory(taken, take), cancellationToken);
            taken += take;
            if (scan.NeedsMore)
            {
                // Cannot fill up: a version 1 header is known complete or invalid by 107 bytes, a version 2 one by 16.
                if (taken == buffer.Length)
                    throw new ProxyHeaderException($"no end of the PROXY header in {taken} bytes");
                continue;
            }
            if (taken == scan.Length)
                return ProxyHeaderParser.Parse(buffer.AsSpan(0, taken));
            if (buffer.Length < scan.Length)
                Array.Resize(ref buffer, scan.Length);
        }
    }

    /// <summary>Waits for bytes and copies them without taking them; 0 when the peer closed its end.</summary>
    private static async ValueTask<int> PeekAsync(Socket socket, SocketReadiness? readiness, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (readiness is null)
            return await socket.ReceiveAsync(buffer, SocketFlags.Peek, cancellationToken);
        while (true)
        {
            long seen = readiness.Read.Events;
            int peeked = socket.Receive(buffer.Span, SocketFlags.Peek, out SocketError error);
            if (error == SocketError.Success)
                return peeked;
            if (error != SocketError.WouldBlock)
                throw new SocketException((int)error);
            await readiness.Read.WaitAsync(seen, cancellationToken);
        }
    }

    /// <summary>Takes exactly the bytes a peek saw: they are in the socket already, so this does not wait.</summary>
    private static async ValueTask ReadExactlyAsync(Socket socket, SocketReadiness? readiness, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            int read;
            if (readiness is null)
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            }
            else
            {
                long seen = readiness.Read.Events;
                read = socket.Receive(buffer.Span, SocketFlags.None, out SocketError error);
                if (error == SocketError.WouldBlock)
                {
                    await readiness.Read.WaitAsync(seen, cancellationToken);
                    continue;
                }
                if (error != SocketError.Success)
                    throw new SocketException((int)error);
            }
            if (read == 0)
                throw new EndOfStreamException("the peer closed the connection inside its PROXY header");
            buffer = buffer[read..];
        }
    }
}
