using System.Net;
using System.Net.Sockets;

namespace Tunicorn.Tests.Client;

/// <summary>
/// A loopback port that accepts connections and never reads them: enough for a call whose code sends nothing (a
/// <see cref="FakeThriftClient"/> call), so that the client picks a server, connects and runs it.
/// </summary>
internal sealed class LoopbackAcceptor : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _accepted = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    /// <summary>
    /// For clients of these acceptors: a loopback connect is immediate, but its completion waits for a thread-pool thread,
    /// which a loaded 2-core machine running the suite in parallel can hold up beyond the client's default of 1 s.
    /// </summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    public LoopbackAcceptor()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Address => $"127.0.0.1:{Port}";

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_accepted)
        {
            foreach (var socket in _accepted)
                socket.Dispose();
        }
        _ = _accepting.Exception;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_accepted)
                    _accepted.Add(socket);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }
}
