using System.Net.Sockets;

namespace Tunicorn.IO;

/// <summary>The choice of engine for a plain (non-TLS) connection, and what every engine wants of an accepted socket.</summary>
internal static class SocketEngines
{
    /// <summary>
    /// The worker's <see cref="ReadinessLoop"/> when it has one (the socket is registered with it, and made
    /// non-blocking), else .NET's socket engine. TLS connections get theirs from their handshake (Tls.ServerTls).
    /// </summary>
    public static ISocketEngine ForPlainSocket(Socket socket, ReadinessLoop? readinessLoop) => readinessLoop is null
        ? new DotNetSocketEngine(socket)
        : new ReadinessLoopEngine(readinessLoop.Register(socket));

    /// <summary>Turns Nagle off on a TCP socket; nothing on a Unix socket, nor when the peer is already gone.</summary>
    public static void SetNoDelay(Socket socket)
    {
        if (socket.ProtocolType != ProtocolType.Tcp)
            return;
        try
        {
            // Replies leave in one write per flush; Nagle would only hold back the tail of a large one.
            socket.NoDelay = true;
        }
        catch (SocketException)
        {
            // The peer is already gone: the first read reports it at the right level.
        }
    }
}
