using System.Net;
using System.Net.Sockets;

namespace Tunicorn.TestSupport;

/// <summary>
/// Loopback TCP ports that were free a moment ago, from a range below Linux's ephemeral range (32768+) so that no
/// client's outgoing connection holds a port a (re)started server wants to bind. No port is handed out twice in one
/// process. Each test project takes a range of its own (<see cref="IntegrationTests"/>, <see cref="ZooKeeperTests"/>),
/// so that test projects run side by side in separate processes don't collide either.
/// </summary>
public sealed class FreePortRange
{
    /// <summary>Tunicorn.IntegrationTests: 20000-31999.</summary>
    public static readonly FreePortRange IntegrationTests = new(20000, 31999);

    /// <summary>Tunicorn.ZooKeeper.Tests: 12000-19999.</summary>
    public static readonly FreePortRange ZooKeeperTests = new(12000, 19999);

    private readonly HashSet<int> _handedOut = [];
    private readonly Lock _gate = new();

    private FreePortRange(int first, int last)
    {
        First = first;
        Last = last;
    }

    public int First { get; }

    public int Last { get; }

    public int Next()
    {
        lock (_gate)
        {
            for (int attempt = 0; attempt < 1000; attempt++)
            {
                int port = Random.Shared.Next(First, Last + 1);
                if (_handedOut.Contains(port) || !IsFree(port))
                    continue;
                _handedOut.Add(port);
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
