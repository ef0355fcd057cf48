using System.Net;
using System.Net.Sockets;
using Tunicorn.Bench.LoadGen;

namespace Tunicorn.Bench.Runner;

/// <summary>
/// One <c>add(1, 2)</c> call on a fresh connection, reply checked byte for byte (LoadGen's
/// <see cref="CallTemplate"/>): the runner's test of "the server answers". Both the Calculator and the bench
/// service have this method with the same field ids.
/// </summary>
public static class Probe
{
    /// <summary>True when a correct reply arrived within <paramref name="timeout"/>.</summary>
    public static async Task<bool> CallAsync(int port, bool framed, TimeSpan timeout)
    {
        using var socket = await ConnectAsync(port, timeout);
        return socket is not null && await CallOnAsync(socket, framed, timeout);
    }

    public static async Task<Socket?> ConnectAsync(int port, TimeSpan timeout)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
            return socket;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            return null;
        }
    }

    /// <summary>One call on an open connection (which stays open).</summary>
    public static async Task<bool> CallOnAsync(Socket socket, bool framed, TimeSpan timeout)
    {
        var call = CallTemplate.Add(1, 2, framed);
        call.SetSequenceId(1);
        var reply = new byte[call.ExpectedReply.Length];
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await socket.SendAsync(call.Request, SocketFlags.None, cts.Token);
            int got = 0;
            while (got < reply.Length)
            {
                int n = await socket.ReceiveAsync(reply.AsMemory(got), SocketFlags.None, cts.Token);
                if (n == 0)
                    return false;
                got += n;
            }
            return reply.AsSpan().SequenceEqual(call.ExpectedReply);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>A loopback port that was free a moment ago (bound to port 0, then released).</summary>
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
