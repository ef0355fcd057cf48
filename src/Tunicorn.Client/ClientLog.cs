using Microsoft.Extensions.Logging;

namespace Tunicorn.Client;

/// <summary>The client's log lines (category tunicorn.client), 5xxx event ids.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Servers from {Source}: {Count} ({Joined} joined, {Left} left)")]
    public static partial void ServersChanged(ILogger logger, string source, int count, int joined, int left);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "Could not connect to {Server}: {Reason}; trying another server")]
    public static partial void ConnectFailed(ILogger logger, string server, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Server {Server} ejected for {Seconds:0.#} s after {Failures} failures in a row: {Reason}")]
    public static partial void ServerEjected(ILogger logger, string server, double seconds, int failures, string reason);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "Server {Server} answers again")]
    public static partial void ServerReinstated(ILogger logger, string server);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Discovery from {Source} unavailable: {Reason}; keeping the last {Count} servers")]
    public static partial void DiscoveryUnavailable(ILogger logger, string source, string reason, int count);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "Discovery from {Source} available again: {Count} servers")]
    public static partial void DiscoveryRecovered(ILogger logger, string source, int count);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "Ignoring registry entry {Entry}: {Reason}")]
    public static partial void InvalidEntry(ILogger logger, string entry, string reason);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Debug, Message = "Call to {Server} failed on the connection: {Reason}")]
    public static partial void CallFailed(ILogger logger, string server, string reason);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Debug, Message = "Call to {Server} failed after it was sent ({Reason}); retrying the idempotent call on another server")]
    public static partial void Retrying(ILogger logger, string server, string reason);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Debug, Message = "Call to {Server} has not answered in {Milliseconds:0} ms; sending the idempotent call to another server as well (hedge)")]
    public static partial void Hedging(ILogger logger, string server, double milliseconds);

    [LoggerMessage(EventId = 5030, Level = LogLevel.Warning, Message = "The {Callback} handler threw; the client goes on as if it had returned")]
    public static partial void CallbackFailed(ILogger logger, string callback, Exception exception);
}
