using Microsoft.Extensions.Logging;

namespace Tunicorn.ZooKeeper;

// Event ids 41xx: the ZooKeeper client's share of the registry range 4xxx (src/Tunicorn/Logging/EventIds.cs).
public sealed partial class ZooKeeperClient
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "ZooKeeper session 0x{SessionId:x} established with {Server}, timeout {TimeoutMs} ms")]
    private static partial void SessionEstablished(ILogger logger, long sessionId, string server, int timeoutMs);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "ZooKeeper session 0x{SessionId:x} resumed with {Server}, timeout {TimeoutMs} ms")]
    private static partial void SessionResumed(ILogger logger, long sessionId, string server, int timeoutMs);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Connection to ZooKeeper server {Server} lost (session 0x{SessionId:x}): {Reason}; reconnecting")]
    private static partial void ConnectionLost(ILogger logger, string server, long sessionId, string reason);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "ZooKeeper server {Server} broke the protocol: {Reason}; connection dropped, reconnecting")]
    private static partial void ProtocolViolation(ILogger logger, string server, string reason);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Debug, Message = "Cannot connect to ZooKeeper server {Server}: {Reason}")]
    private static partial void ConnectFailed(ILogger logger, string server, string reason);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "None of the {Count} ZooKeeper servers answered (last: {Reason}); trying again in {DelayMs} ms")]
    private static partial void NoServerReachable(ILogger logger, int count, long delayMs, string reason);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Warning, Message = "ZooKeeper session 0x{SessionId:x} expired: {Reason}")]
    private static partial void SessionExpired(ILogger logger, long sessionId, string reason);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Information, Message = "ZooKeeper session 0x{SessionId:x} closed")]
    private static partial void SessionClosed(ILogger logger, long sessionId);

    [LoggerMessage(EventId = 4109, Level = LogLevel.Warning, Message = "Closing ZooKeeper session 0x{SessionId:x} failed ({Reason}); the server ends it after the session timeout")]
    private static partial void CloseRefused(ILogger logger, long sessionId, string reason);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning, Message = "ZooKeeper server {Server} refused the {What} sent after reconnecting: {Error}")]
    private static partial void PrimingRefused(ILogger logger, string what, string server, ZooKeeperErrorCode error);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Error, Message = "The ZooKeeper session loop failed; the session is given up")]
    private static partial void SessionLoopFailed(ILogger logger, Exception exception);
}
