using Microsoft.Extensions.Logging;

namespace Tunicorn.Registry;

/// <summary>The log lines every registry backend writes (category tunicorn.registry), so they read and grep the same.</summary>
internal static partial class RegistryLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Registered in {Backend} ({Hosts}): {Entries}")]
    public static partial void Registered(ILogger logger, string backend, string hosts, string entries);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Service registry {Backend} ({Hosts}) unavailable: {Reason}; serving anyway, registering when it is back")]
    public static partial void RegistryUnavailable(ILogger logger, string backend, string hosts, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "Service registry {Backend} still unavailable: {Reason}")]
    public static partial void RegistryStillUnavailable(ILogger logger, string backend, string reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Registration in {Backend} lost: {Reason}; registering again")]
    public static partial void RegistrationLost(ILogger logger, string backend, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Registered again in {Backend} ({Hosts}): {Entries}")]
    public static partial void RegisteredAgain(ILogger logger, string backend, string hosts, string entries);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "Deregistered from {Backend}: {Entries}")]
    public static partial void Deregistered(ILogger logger, string backend, string entries);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Nothing to register: no TCP listener (Unix sockets are not announced)")]
    public static partial void NothingToRegister(ILogger logger);
}
