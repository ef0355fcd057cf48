using Microsoft.Extensions.Logging;

namespace Tunicorn.Master;

internal sealed partial class Arbiter
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Starting tunicorn {Version}")]
    private static partial void Starting(ILogger logger, string version);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Listening at: {Address} ({Pid})")]
    private static partial void ListeningAt(ILogger logger, string address, int pid);

    [LoggerMessage(EventId = 1080, Level = LogLevel.Error, Message = "Connection in use: {Bind} (try {Try} of {Tries}); retrying in {PauseSeconds} s")]
    private static partial void ConnectionInUse(ILogger logger, string bind, int @try, int tries, double pauseSeconds);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Using worker: {WorkerClass}")]
    private static partial void UsingWorker(ILogger logger, string workerClass);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Booting worker with pid: {Pid}")]
    private static partial void BootingWorker(ILogger logger, int pid);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Worker booted (pid: {Pid})")]
    private static partial void WorkerBooted(ILogger logger, int pid);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Handling signal: {Signal}")]
    private static partial void HandlingSignal(ILogger logger, string signal);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Reload: starting {Workers} new workers (generation {Generation}); the current ones serve until they accept")]
    private static partial void ReloadStarted(ILogger logger, int generation, int workers);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Reload complete (generation {Generation}): new workers {Pids} accept; stopping {OldCount} old workers gracefully")]
    private static partial void ReloadCompleted(ILogger logger, int generation, string pids, int oldCount);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Error, Message = "Reload failed, the {Workers} current workers keep serving: {Reason}")]
    private static partial void ReloadFailed(ILogger logger, int workers, string reason);

    [LoggerMessage(EventId = 1018, Level = LogLevel.Error, Message = "Rolling reload to generation {Generation} stopped: {Reason}; {OldCount} old and {NewCount} new workers keep serving; send HUP to start the rollout over")]
    private static partial void RolloutStopped(ILogger logger, int generation, string reason, int oldCount, int newCount);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Warning, Message = "Reload ignored: reload to generation {Generation} is still in progress")]
    private static partial void ReloadInProgress(ILogger logger, int generation);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Critical, Message = "WORKER TIMEOUT (pid:{Pid}): {Reason} (timeout {Timeout}s); sending SIGABRT")]
    private static partial void WorkerTimeout(ILogger logger, int pid, string reason, double timeout);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Error, Message = "Worker (pid:{Pid}) still alive after SIGABRT; sending SIGKILL")]
    private static partial void WorkerKilledAfterAbort(ILogger logger, int pid);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Error, Message = "Worker (pid:{Pid}) did not stop within graceful_timeout ({Seconds}s); sending SIGKILL")]
    private static partial void WorkerGracefulTimeout(ILogger logger, int pid, double seconds);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Error, Message = "Worker (pid:{Pid}) was sent SIGKILL! Perhaps out of memory?")]
    private static partial void WorkerKilledPerhapsOom(ILogger logger, int pid);

    [LoggerMessage(EventId = 1038, Level = LogLevel.Error, Message = "Worker (pid: {Pid}) was killed by the master (SIGKILL): {Reason}")]
    private static partial void WorkerKilledByMaster(ILogger logger, int pid, string reason);

    [LoggerMessage(EventId = 1039, Level = LogLevel.Error, Message = "Worker (pid: {Pid}) exited with code {Code} after it had booted")]
    private static partial void WorkerExitedAfterBoot(ILogger logger, int pid, int code);

    [LoggerMessage(EventId = 1042, Level = LogLevel.Error, Message = "Worker (pid: {Pid}) exited with code 0 without being asked to stop")]
    private static partial void WorkerExitedUnasked(ILogger logger, int pid);

    [LoggerMessage(EventId = 1043, Level = LogLevel.Information, Message = "Worker exited (pid: {Pid}): {Reason}")]
    private static partial void WorkerExitedOnItsOwn(ILogger logger, int pid, string reason);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Error, Message = "Worker (pid:{Pid}) was sent SIG{Signal}!")]
    private static partial void WorkerSignaled(ILogger logger, int pid, string signal);

    [LoggerMessage(EventId = 1037, Level = LogLevel.Information, Message = "Worker (pid:{Pid}) stopped by SIG{Signal} while booting")]
    private static partial void WorkerStoppedBeforeBoot(ILogger logger, int pid, string signal);

    [LoggerMessage(EventId = 1032, Level = LogLevel.Error, Message = "Worker (pid:{Pid}) failed to boot: {Reason}")]
    private static partial void WorkerBootFailed(ILogger logger, int pid, string reason);

    [LoggerMessage(EventId = 1033, Level = LogLevel.Error, Message = "Worker (pid:{Pid}) exited with code {Code}")]
    private static partial void WorkerExitedWithCode(ILogger logger, int pid, int code);

    [LoggerMessage(EventId = 1034, Level = LogLevel.Information, Message = "Worker exited (pid: {Pid})")]
    private static partial void WorkerExitedCleanly(ILogger logger, int pid);

    [LoggerMessage(EventId = 1035, Level = LogLevel.Warning, Message = "Workers keep failing to boot; next attempt in {Seconds}s")]
    private static partial void RespawnDelayed(ILogger logger, double seconds);

    [LoggerMessage(EventId = 1036, Level = LogLevel.Error, Message = "Cannot start a worker process: {Reason}")]
    private static partial void SpawnFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1041, Level = LogLevel.Information, Message = "SIGWINCH ignored. Not daemonized, and no upgrade in progress")]
    private static partial void WinchIgnored(ILogger logger);

    [LoggerMessage(EventId = 1053, Level = LogLevel.Error, Message = "Could not deregister from the service registry: {Reason}; clients learn of the stop when the entry expires")]
    private static partial void DeregisterFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1050, Level = LogLevel.Information, Message = "Shutting down ({Kind}): stopping workers")]
    private static partial void ShuttingDown(ILogger logger, string kind);

    [LoggerMessage(EventId = 1051, Level = LogLevel.Critical, Message = "Shutting down: Master. Reason: {Reason}")]
    private static partial void Halting(ILogger logger, string reason);

    [LoggerMessage(EventId = 1052, Level = LogLevel.Information, Message = "Shutting down: Master")]
    private static partial void MasterExiting(ILogger logger);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Warning, Message = "Worker (pid: {Pid}) asks to be replaced: {Reason}; starting a new worker first")]
    private static partial void WorkerReplacing(ILogger logger, int pid, string reason);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Warning, Message = "Retiring worker (pid: {Pid}): its replacement is up ({Reason})")]
    private static partial void WorkerReplaced(ILogger logger, int pid, string reason);
}
