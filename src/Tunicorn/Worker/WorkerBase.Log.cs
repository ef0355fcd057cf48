using Microsoft.Extensions.Logging;

namespace Tunicorn.Worker;

public abstract partial class WorkerBase
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Worker exiting (pid: {Pid}): calls read={CallsRead} answered={CallsAnswered} ({Reason})")]
    private static partial void WorkerExiting(ILogger logger, int pid, long callsRead, long callsAnswered, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Autorestarting worker (pid: {Pid}) after {Served} calls (max_requests): finishing the calls in flight")]
    private static partial void MaxRequestsReached(ILogger logger, int pid, long served);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Worker (pid: {Pid}) aborted by the master after a timeout; in flight: {InFlight}")]
    private static partial void AbortedByMaster(ILogger logger, int pid, string inFlight);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Worker (pid: {Pid}): {Open} connections still busy after graceful_timeout ({Seconds}s); aborting them")]
    private static partial void DrainTimedOut(ILogger logger, int pid, int open, double seconds);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Worker (pid: {Pid}) cannot accept: {Reason}; stopping")]
    private static partial void AcceptFailed(ILogger logger, int pid, string reason);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Worker (pid: {Pid}): parent changed (master {MasterPid} is gone); shutting down")]
    private static partial void ParentChanged(ILogger logger, int pid, int masterPid);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "Worker (pid: {Pid}) must be replaced: {Reason}; asking the master for a new worker, then finishing the calls in flight")]
    private static partial void FatalFailure(ILogger logger, int pid, string reason);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "Worker (pid: {Pid}) reopened its log files")]
    private static partial void LogsReopened(ILogger logger, int pid);
}
