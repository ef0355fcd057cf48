using Microsoft.Extensions.Logging;

namespace Tunicorn.Worker;

internal abstract partial class WorkerBase
{
    /// <summary>
    /// The worker's log lines, in a class of their own: the generated code builds every line's formatter in the static
    /// constructor of the class that holds it, which a new worker would otherwise run before its first call.
    /// </summary>
    private static partial class Lines
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Worker exiting (pid: {Pid}): calls read={CallsRead} answered={CallsAnswered} ({Reason})")]
        public static partial void WorkerExiting(ILogger logger, int pid, long callsRead, long callsAnswered, string reason);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Autorestarting worker (pid: {Pid}) after {Served} calls (max_requests): finishing the calls in flight")]
        public static partial void MaxRequestsReached(ILogger logger, int pid, long served);

        [LoggerMessage(EventId = 2152, Level = LogLevel.Information,
            Message = "Autorestarting worker (pid: {Pid}) after {Served} calls (max_requests): its replacement starts first, then its connections move to the live workers")]
        public static partial void MaxRequestsReplacing(ILogger logger, int pid, long served);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Worker (pid: {Pid}) aborted by the master after a timeout; in flight: {InFlight}")]
        public static partial void AbortedByMaster(ILogger logger, int pid, string inFlight);

        [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Worker (pid: {Pid}): {Open} connections still busy after graceful_timeout ({Seconds}s); aborting them")]
        public static partial void DrainTimedOut(ILogger logger, int pid, int open, double seconds);

        [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Worker (pid: {Pid}) cannot accept: {Reason}; stopping")]
        public static partial void AcceptFailed(ILogger logger, int pid, string reason);

        [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Worker (pid: {Pid}): parent changed (master {MasterPid} is gone); shutting down")]
        public static partial void ParentChanged(ILogger logger, int pid, int masterPid);

        [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "Worker (pid: {Pid}) must be replaced: {Reason}; asking the master for a new worker, then finishing the calls in flight")]
        public static partial void FatalFailure(ILogger logger, int pid, string reason);

        [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "Worker (pid: {Pid}) reopened its log files")]
        public static partial void LogsReopened(ILogger logger, int pid);

        [LoggerMessage(EventId = 2040, Level = LogLevel.Warning,
            Message = "Worker (pid: {Pid}) cannot accept a waiting client: {Reason} (open file limit {Limit}, {Open} connections open); pausing accepts until a connection closes ({Refused} times so far, {Held} since the last such line)")]
        public static partial void OutOfDescriptors(ILogger logger, int pid, string reason, string limit, int open, long refused, long held);

        [LoggerMessage(EventId = 2041, Level = LogLevel.Warning,
            Message = "Worker (pid: {Pid}): the open file limit ({Limit}) is below what {LimitName} ({Connections}) needs: {Open} descriptors open now + {Connections} connections + {Headroom} for the runtime = {Needed}; raise the hard limit (ulimit -n, systemd LimitNOFILE=) or lower {LimitName}. This worker holds at most {Budget} connections and pauses accepting beyond")]
        public static partial void DescriptorLimitLow(ILogger logger, int pid, string limit, string limitName, int connections, int open, int headroom, long needed, int budget);

        [LoggerMessage(EventId = 2042, Level = LogLevel.Information,
            Message = "Worker (pid: {Pid}) at {LimitName} ({Limit}) with a client waiting: closed connection {ConnectionId} from {Peer}, idle for {IdleSeconds:0.0}s, to admit it (idle connections closed: {Total}; {Held} since the last such line)")]
        public static partial void IdleConnectionClosed(ILogger logger, int pid, string limitName, int limit, long connectionId, string peer, double idleSeconds, long total, long held);

        [LoggerMessage(EventId = 2043, Level = LogLevel.Warning,
            Message = "Worker (pid: {Pid}) at {LimitName} ({Limit}) with every connection in a call: new clients wait in the listen backlog ({Held} more times since the last such line)")]
        public static partial void AllConnectionsBusy(ILogger logger, int pid, string limitName, int limit, long held);
    }
}
