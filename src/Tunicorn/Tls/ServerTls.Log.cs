using Microsoft.Extensions.Logging;
using Tunicorn.Logging;

namespace Tunicorn.Tls;

internal sealed partial class ServerTls
{
    /// <summary>
    /// The handshake is a step of the connection: its lines go to the connection's logger with the connection's ids and
    /// words (ThriftConnection.Log), so one client's story still reads and greps as one.
    /// </summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.Thrift + 6, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Peer} aborted {Where}")]
        public static partial void Aborted(ILogger logger, long connectionId, string peer, string where);

        [LoggerMessage(EventId = EventIds.Thrift + 17, Level = LogLevel.Warning,
            Message = "Connection {ConnectionId} from {Peer}: TLS handshake failed: {Reason}; closing it")]
        public static partial void HandshakeFailed(ILogger logger, long connectionId, string peer, string reason);
    }
}
