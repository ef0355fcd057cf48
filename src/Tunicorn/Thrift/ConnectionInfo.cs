using System.Net;
using System.Net.Sockets;

namespace Tunicorn.Thrift;

/// <summary>A client connection as hooks and logs see it.</summary>
public sealed class ConnectionInfo
{
    public required long Id { get; init; }
    /// <summary>"127.0.0.1:53122", "[::1]:53122" or "unix:/path" (peer of a Unix socket has no name).</summary>
    public required string Peer { get; init; }
    public required string LocalEndPoint { get; init; }

    /// <summary>
    /// The load balancer's own address ("127.0.0.1:41234") when a PROXY protocol header named the client, which
    /// <see cref="Peer"/> then is; null for a connection served as it came (proxy_protocol).
    /// </summary>
    public string? ProxiedBy { get; init; }
    public int CallsServed { get; set; }

    /// <summary>The call being served now, for the worker's heartbeat (which reads it from another thread).</summary>
    internal ThriftCall? CallInFlight
    {
        get => Volatile.Read(ref _callInFlight);
        set => Volatile.Write(ref _callInFlight, value);
    }

    private ThriftCall? _callInFlight;

    /// <summary>The connection's protocol and transport as the metrics count it (Metrics/ConnectionFormat); 0 until detected.</summary>
    internal int MetricsFormat { get; set; }

    /// <summary>The metrics series of the method this connection called last (Metrics/WorkerMetrics), to skip a lookup.</summary>
    internal object? MetricsSeries { get; set; }

    /// <summary>The connection's wait between calls, through which the worker closes it when it is the longest idle.</summary>
    internal ConnectionWaiter? Waiter { get; set; }

    /// <summary>Describes an accepted socket; never throws, because it runs before anything can report an error.</summary>
    internal static ConnectionInfo FromSocket(Socket socket, long id)
    {
        string local = Describe(() => socket.LocalEndPoint);
        string peer = socket.AddressFamily == AddressFamily.Unix
            // The client end of a Unix socket is normally unnamed, so the listening path is what identifies it.
            ? "unix:" + local
            : Describe(() => socket.RemoteEndPoint);
        return new ConnectionInfo { Id = id, Peer = peer, LocalEndPoint = local };
    }

    private static string Describe(Func<EndPoint?> endPoint)
    {
        try
        {
            return endPoint() switch
            {
                // Dual-stack listeners see IPv4 clients as ::ffff:a.b.c.d; operators know them as a.b.c.d.
                IPEndPoint { Address.IsIPv4MappedToIPv6: true } ip => new IPEndPoint(ip.Address.MapToIPv4(), ip.Port).ToString(),
                { } other => other.ToString() ?? "unknown",
                null => "unknown",
            };
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return "unknown";
        }
    }
}
