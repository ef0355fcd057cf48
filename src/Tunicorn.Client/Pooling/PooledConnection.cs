using System.Net.Sockets;
using Thrift;

namespace Tunicorn.Client.Pooling;

/// <summary>One open connection to a server with the generated Thrift client bound to it; used by one call at a time.</summary>
internal sealed class PooledConnection(Socket socket, TBaseClient client, WrittenMethod written, bool fresh) : IDisposable
{
    private int _disposed;

    public TBaseClient Client { get; } = client;

    /// <summary>The name of the last message a call wrote on this connection; forget it before each call.</summary>
    public WrittenMethod Written { get; } = written;

    /// <summary>True until the connection is handed out a second time: a fresh connection cannot be stale.</summary>
    public bool Fresh { get; private set; } = fresh;

    /// <summary>
    /// Between calls nothing may be readable: readable means the server closed the connection (a worker that stopped
    /// or timed it out) or sent garbage. Such a connection is dropped before a call is written to it.
    /// </summary>
    public bool LooksUsable()
    {
        if (Volatile.Read(ref _disposed) != 0)
            return false;
        try
        {
            return socket.Connected && !socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public void MarkReused() => Fresh = false;

    /// <summary>Closes the connection; safe from any thread, and while a call on it is in flight (which then fails at once).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        Client.Dispose();
        socket.Dispose();
    }
}
