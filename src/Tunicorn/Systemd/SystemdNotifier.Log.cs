using Microsoft.Extensions.Logging;

namespace Tunicorn.Systemd;

internal sealed partial class SystemdNotifier
{
    [LoggerMessage(EventId = 1700, Level = LogLevel.Information, Message = "Notifying systemd at {Address} ({Watchdog})")]
    private static partial void NotifyingSystemd(ILogger logger, string address, string watchdog);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Warning,
        Message = "Cannot notify systemd ({Message} to {Address}): {Reason}; the server carries on, and this is not logged again (systemd may mark the service failed or time out its start)")]
    private static partial void NotifyFailed(ILogger logger, string message, string address, string reason);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Warning, Message = "NOTIFY_SOCKET={Address} is not a Unix socket path or @abstract name; systemd is not notified")]
    private static partial void NotifySocketUnsupported(ILogger logger, string address);

    [LoggerMessage(EventId = 1703, Level = LogLevel.Warning, Message = "WATCHDOG_USEC={Value} is not a positive number of microseconds; no watchdog pings are sent")]
    private static partial void WatchdogValueInvalid(ILogger logger, string value);
}
