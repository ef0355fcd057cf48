using System.Net;
using System.Net.Sockets;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>
/// Hands out loopback TCP ports that were free a moment ago. Ports come from below Linux's ephemeral range
/// (32768+) so that the clients' own outgoing connections never hold the port a server is about to bind, and
/// no port is handed out twice in one test run, so tests running in parallel don't collide.
/// </summary>
internal static class FreePort
{
    private const int First = 20000;
    private const int Last = 32000;

    private static readonly HashSet<int> HandedOut = [];
    private static readonly Lock Gate = new();

    public static int Next()
    {
        lock (Gate)
        {
            for (int attempt = 0; attempt < 1000; attempt++)
            {
                int port = Random.Shared.Next(First, Last);
                if (HandedOut.Contains(port) || !IsFree(port))
                    continue;
                HandedOut.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"no free loopback port found in {First}-{Last}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen(1);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
