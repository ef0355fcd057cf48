using Microsoft.Extensions.Logging;
using Tunicorn.Logging;

namespace Tunicorn.Thrift.ProxyProtocol;

internal static partial class ProxyProtocolHandshake
{
    /// <summary>Every line names the connection and the proxy's own address (the peer of the socket).</summary>
    private static partial class Log
    {
        // Ids 3100-3109: after the connection's own 3001-3099.
        private const int Base = EventIds.Thrift + 100;

        [LoggerMessage(EventId = Base + 1, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Proxy}: PROXY v{Version} header names the client {Client}")]
        public static partial void Accepted(ILogger logger, long connectionId, string proxy, int version, string client);

        [LoggerMessage(EventId = Base + 2, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Proxy}: PROXY v{Version} header names no client (LOCAL, UNKNOWN or no IP family); served as the proxy's own")]
        public static partial void NoAddress(ILogger logger, long connectionId, string proxy, int version);

        [LoggerMessage(EventId = Base + 3, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Peer}: not in proxy_allow_ips, so no PROXY header is expected")]
        public static partial void NotFromProxy(ILogger logger, long connectionId, string peer);

        [LoggerMessage(EventId = Base + 4, Level = LogLevel.Warning,
            Message = "Connection {ConnectionId} from {Peer} (in proxy_allow_ips, proxy_protocol on): {Reason}; closing it")]
        public static partial void Refused(ILogger logger, long connectionId, string peer, string reason);

        [LoggerMessage(EventId = Base + 5, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Peer} lost before its PROXY header ended: {Reason}")]
        public static partial void PeerGone(ILogger logger, long connectionId, string peer, string reason);

        [LoggerMessage(EventId = Base + 6, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Peer} aborted while reading its PROXY header")]
        public static partial void Aborted(ILogger logger, long connectionId, string peer);
    }
}
