using Microsoft.Extensions.Logging;
using Thrift;
using Tunicorn.Config;
using Tunicorn.Logging;

namespace Tunicorn.Thrift;

internal sealed partial class ThriftConnection
{
    /// <summary>Every line names the connection and the peer, so one client's story can be grepped.</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.Thrift + 1, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Peer} opened on {LocalEndPoint}")]
        public static partial void Opened(ILogger logger, long connectionId, string peer, string localEndPoint);

        [LoggerMessage(EventId = EventIds.Thrift + 2, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Peer} closed by the peer after {Calls} calls")]
        public static partial void PeerClosed(ILogger logger, long connectionId, string peer, int calls);

        [LoggerMessage(EventId = EventIds.Thrift + 3, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Peer} lost: {Reason}")]
        public static partial void PeerGone(ILogger logger, long connectionId, string peer, string reason);

        [LoggerMessage(EventId = EventIds.Thrift + 4, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Peer} idle for {IdleSeconds}s (thrift_client_timeout): closed")]
        public static partial void IdleTimeout(ILogger logger, long connectionId, string peer, double idleSeconds);

        [LoggerMessage(EventId = EventIds.Thrift + 5, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Peer} closed between calls after {Calls} calls: the worker is stopping")]
        public static partial void ClosedForStop(ILogger logger, long connectionId, string peer, int calls);

        [LoggerMessage(EventId = EventIds.Thrift + 150, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Peer} handed to another worker after {Calls} calls: this worker is stopping")]
        public static partial void HandedOff(ILogger logger, long connectionId, string peer, int calls);

        [LoggerMessage(EventId = EventIds.Thrift + 151, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Peer} stays with this stopping worker ({Reason}): served until it closes or graceful_timeout ends")]
        public static partial void StaysAfterStop(ILogger logger, long connectionId, string peer, string reason);

        [LoggerMessage(EventId = EventIds.Thrift + 152, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Peer} on {LocalEndPoint} taken over from a stopping worker")]
        public static partial void Adopted(ILogger logger, long connectionId, string peer, string localEndPoint);

        [LoggerMessage(EventId = EventIds.Thrift + 19, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Peer} sent no call in the {OpenSeconds:0.0}s since its accept: closed at once, the worker is stopping")]
        public static partial void ClosedForStopBeforeFirstCall(ILogger logger, long connectionId, string peer, double openSeconds);

        [LoggerMessage(EventId = EventIds.Thrift + 6, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Peer} aborted {Where}")]
        public static partial void Aborted(ILogger logger, long connectionId, string peer, string where);

        [LoggerMessage(EventId = EventIds.Thrift + 7, Level = LogLevel.Warning,
            Message = "Connection {ConnectionId} from {Peer} stalled {Where}: {Reason}; closing it")]
        public static partial void TimedOut(ILogger logger, long connectionId, string peer, string where, string reason);

        [LoggerMessage(EventId = EventIds.Thrift + 8, Level = LogLevel.Warning,
            Message = "Bad input on connection {ConnectionId} from {Peer} (expecting {Protocol} protocol, {Transport} transport): {Reason}; closing it")]
        public static partial void BadInput(ILogger logger, long connectionId, string peer, ThriftProtocolKind protocol, ThriftTransportKind transport, string reason);

        [LoggerMessage(EventId = EventIds.Thrift + 9, Level = LogLevel.Warning,
            Message = "Limit hit on connection {ConnectionId} from {Peer}: {Reason}; closing it")]
        public static partial void LimitExceeded(ILogger logger, long connectionId, string peer, string reason);

        [LoggerMessage(EventId = EventIds.Thrift + 10, Level = LogLevel.Warning,
            Message = "Connection {ConnectionId} from {Peer} called unknown method '{Method}'; answered TApplicationException UnknownMethod")]
        public static partial void UnknownMethod(ILogger logger, long connectionId, string peer, string method);

        [LoggerMessage(EventId = EventIds.Thrift + 11, Level = LogLevel.Error,
            Message = "Handler failed in {Method} called on connection {ConnectionId} from {Peer}; answered TApplicationException InternalError (the exception is logged under {ProcessorCategory})")]
        public static partial void HandlerFailed(ILogger logger, long connectionId, string peer, string method, string? processorCategory);

        [LoggerMessage(EventId = EventIds.Thrift + 12, Level = LogLevel.Warning,
            Message = "Call {Method} on connection {ConnectionId} from {Peer} answered TApplicationException {ExceptionType}")]
        public static partial void ApplicationException(ILogger logger, long connectionId, string peer, string method, TApplicationException.ExceptionType exceptionType);

        [LoggerMessage(EventId = EventIds.Thrift + 13, Level = LogLevel.Error,
            Message = "Connection {ConnectionId} from {Peer} failed {Where}; closing it")]
        public static partial void Failed(ILogger logger, long connectionId, string peer, string where, Exception exception);

        [LoggerMessage(EventId = EventIds.Thrift + 14, Level = LogLevel.Error,
            Message = "No processor for connection {ConnectionId} from {Peer}: creating the handler failed; closing it")]
        public static partial void NoProcessor(ILogger logger, long connectionId, string peer, Exception exception);

        [LoggerMessage(EventId = EventIds.Thrift + 15, Level = LogLevel.Error,
            Message = "Unexpected error on connection {ConnectionId} from {Peer}; closing it")]
        public static partial void Unexpected(ILogger logger, long connectionId, string peer, Exception exception);

        [LoggerMessage(EventId = EventIds.Thrift + 16, Level = LogLevel.Error,
            Message = "Connection reporter {ReporterMethod} threw on connection {ConnectionId} from {Peer}")]
        public static partial void ReporterFailed(ILogger logger, long connectionId, string peer, string reporterMethod, Exception exception);

        // Thrift + 17: the TLS handshake failed (Tls/ServerTls.Log.cs).

        [LoggerMessage(EventId = EventIds.Thrift + 18, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Peer} speaks the {Protocol} protocol over the {Transport} transport (detected)")]
        public static partial void Detected(ILogger logger, long connectionId, string peer, ThriftProtocolKind protocol, ThriftTransportKind transport);

        [LoggerMessage(EventId = EventIds.Thrift + 19, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId}: the services here are {Services} (not told to the client)")]
        public static partial void ServicesHere(ILogger logger, long connectionId, string services);

        [LoggerMessage(EventId = EventIds.Thrift + 40, Level = LogLevel.Debug,
            Message = "Connection {ConnectionId} from {Peer} closed between calls after {Calls} calls: the longest idle when the worker was at worker_connections")]
        public static partial void Evicted(ILogger logger, long connectionId, string peer, int calls);
    }
}
