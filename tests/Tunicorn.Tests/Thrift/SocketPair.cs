using System.Net;
using System.Net.Sockets;

namespace Tunicorn.Tests.Thrift;

/// <summary>Two connected loopback TCP sockets: the server end for the code under test, the client end to write to it.</summary>
internal sealed class SocketPair : IDisposable
{
    private SocketPair(Socket server, Socket client)
    {
        Server = server;
        Client = client;
    }

    public Socket Server { get; }
    public Socket Client { get; }

    public static async Task<SocketPair> CreateAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        return new SocketPair(await listener.AcceptAsync(), client);
    }

    public void Dispose()
    {
        Server.Dispose();
        Client.Dispose();
    }
}
