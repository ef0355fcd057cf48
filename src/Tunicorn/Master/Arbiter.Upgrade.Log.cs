using Microsoft.Extensions.Logging;

namespace Tunicorn.Master;

internal sealed partial class Arbiter
{
    [LoggerMessage(EventId = 1600, Level = LogLevel.Information,
        Message = "Upgrade ({AskedBy}): started new master (pid: {Pid}); it inherits the listeners {Listeners} (TUNICORN_FD={Descriptors}). Once it serves: WINCH then QUIT this master, or HUP this master and TERM the new one to roll back")]
    private static partial void UpgradeStarted(ILogger logger, int pid, string askedBy, string listeners, string descriptors);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Warning, Message = "Upgrade ignored: the new master (pid: {Pid}) of the previous upgrade still runs; one upgrade at a time")]
    private static partial void UpgradeAlreadyRunning(ILogger logger, int pid);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Error, Message = "Upgrade failed: the new master could not be started: {Reason}; this master serves on")]
    private static partial void UpgradeStartFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Warning,
        Message = "Upgrade: the new master (pid: {Pid}) exited after {Seconds:0.0}s ({Reason}); this master serves on (its own log lines above say why)")]
    private static partial void UpgradeChildExited(ILogger logger, int pid, double seconds, string reason);

    [LoggerMessage(EventId = 1604, Level = LogLevel.Information, Message = "WINCH: stopping the {Workers} workers gracefully; the master stays (HUP starts {Target} again)")]
    private static partial void WinchStoppingWorkers(ILogger logger, int workers, int target);

    [LoggerMessage(EventId = 1605, Level = LogLevel.Information, Message = "Starting {Target} workers again, with the app this master runs ({Why})")]
    private static partial void WorkersRestored(ILogger logger, int target, string why);

    [LoggerMessage(EventId = 1606, Level = LogLevel.Information, Message = "Pidfile moved to {Path}")]
    private static partial void PidfileMoved(ILogger logger, string path);

    [LoggerMessage(EventId = 1607, Level = LogLevel.Warning, Message = "Pidfile not moved: {Reason}")]
    private static partial void PidfileNotMoved(ILogger logger, string reason);

    [LoggerMessage(EventId = 1608, Level = LogLevel.Information, Message = "Upgrade: this master was started by the master {ParentPid} (binary upgrade); that master stops once this one serves (WINCH, QUIT), or rolls back")]
    private static partial void StartedByUpgrade(ILogger logger, int parentPid);
}
