using System.Net;
using System.Net.Sockets;

namespace Tunicorn.ZooKeeper.Tests.Harness;

/// <summary>
/// Loopback ports that were free a moment ago, from below Linux's ephemeral range (32768+) so that no client's
/// outgoing connection holds a port a restarted server wants back, and from a range of their own (the
/// integration tests take 20000-32000) so that test runs side by side don't collide. None is handed out twice.
/// </summary>
internal static class FreePorts
{
    private const int First = 12000;
    private const int Last = 19999;

    private static readonly HashSet<int> HandedOut = [];
    private static readonly Lock Gate = new();

    public static int Next()
    {
        lock (Gate)
        {
            for (int attempt = 0; attempt < 1000; attempt++)
            {
                int port = Random.Shared.Next(First, Last + 1);
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
