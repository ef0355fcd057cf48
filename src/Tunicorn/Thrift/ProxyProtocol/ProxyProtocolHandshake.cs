using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tunicorn.IO;

namespace Tunicorn.Thrift.ProxyProtocol;

/// <summary>
/// The first step of a connection when proxy_protocol is on: a peer in proxy_allow_ips must start with a PROXY header
/// (version 1 or 2), and the client it names becomes the connection's peer for everything after (logs, the access
/// log's %(h)s, hooks, call contexts). Comes before the TLS handshake and before the wire format is detected, which
/// is where HAProxy puts it (send-proxy, send-proxy-v2).
/// </summary>
/// <remarks>
/// Like gunicorn, only peers in proxy_allow_ips are believed; a connection from any other peer is served as it is,
/// with no header expected (a header it sends anyway is read as Thrift and refused as bad input, so no client can
/// claim another's address). Unlike gunicorn, which takes a connection from an allowed peer with or without a
/// header, the header is required: the spec forbids guessing, and an allowed peer is a proxy configured to send it.
/// A missing, malformed or oversized header, or one not complete within the handshake timeout, closes the connection
/// with a logged reason; the connection is then never reported to hooks (no on_connected, no post_connect_closed).
/// </remarks>
internal static partial class ProxyProtocolHandshake
{
    /// <summary>The connection as the header describes it, or null and the reason it closes (logged here).</summary>
    /// <remarks>
    /// The allow list is the options' proxy_protocol peers; the whole header must arrive within the handshake timeout;
    /// a plain connection waits on the worker's readiness loop, when it has one.
    /// </remarks>
    public static async Task<(ConnectionInfo? Connection, string? Failure)> AcceptAsync(
        Socket socket, ConnectionInfo connection, ProxyAllowList allowList, ConnectionServices services)
    {
        ReadinessLoop? readinessLoop = services.Options.Tls is null ? services.ReadinessLoop : null;
        TimeSpan timeout = services.Options.HandshakeTimeout;
        ILogger logger = services.Logger;
        CancellationToken abort = services.Abort;
        if (!allowList.Allows(socket))
        {
            Log.NotFromProxy(logger, connection.Id, connection.Peer);
            return (connection, null);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(abort);
        deadline.CancelAfter(timeout);
        SocketReadiness? readiness = null;
        try
        {
            // Its own registration, given back before the connection registers for its calls.
            readiness = readinessLoop?.Register(socket);
            ProxyHeader header = await ProxyHeaderReceiver.ReceiveAsync(socket, readiness, deadline.Token);
            if (header.Source is not { } source)
            {
                Log.NoAddress(logger, connection.Id, connection.Peer, header.Version);
                return (connection, null);
            }
            var proxied = new ConnectionInfo
            {
                Id = connection.Id,
                Peer = Describe(source),
                LocalEndPoint = connection.LocalEndPoint,
                ProxiedBy = connection.Peer,
            };
            Log.Accepted(logger, connection.Id, connection.Peer, header.Version, proxied.Peer);
            return (proxied, null);
        }
        catch (ProxyHeaderException e)
        {
            // Messages quote what the peer sent only escaped (LogText, ProxyHeaderParser.Preview).
            Log.Refused(logger, connection.Id, connection.Peer, e.Message);
            return (null, "bad PROXY header: " + e.Message);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            Log.Aborted(logger, connection.Id, connection.Peer);
            return (null, "aborted");
        }
        catch (OperationCanceledException)
        {
            string reason = $"no complete PROXY header within {timeout.TotalSeconds:0.###}s";
            Log.Refused(logger, connection.Id, connection.Peer, reason);
            return (null, "bad PROXY header: " + reason);
        }
        catch (EndOfStreamException e)
        {
            Log.PeerGone(logger, connection.Id, connection.Peer, e.Message);
            return (null, "peer closed");
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            string reason = e is SocketException socketError ? $"socket error {socketError.SocketErrorCode}" : "the connection is closed";
            Log.PeerGone(logger, connection.Id, connection.Peer, reason);
            return (null, "peer gone: " + reason);
        }
        finally
        {
            readiness?.Dispose();
        }
    }

    /// <summary>Written as ConnectionInfo writes socket peers: "a.b.c.d:port" (IPv4-mapped too) or "[v6]:port".</summary>
    internal static string Describe(IPEndPoint endPoint) => endPoint.Address.IsIPv4MappedToIPv6
        ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port).ToString()
        : endPoint.ToString();
}
