namespace Tunicorn.Metrics;

/// <summary>The values of the <c>reason</c> attribute of tunicorn.master.workers.exited.</summary>
internal static class WorkerExitReason
{
    /// <summary>Exit 0: asked to stop (reload, TERM, scale down) or stopped on its own (max_requests).</summary>
    public const string Normal = "normal";
    /// <summary>A non-zero exit code after it booted, or a signal the master did not send (SIGSEGV, the OOM killer's SIGKILL).</summary>
    public const string Crash = "crash";
    /// <summary>Killed by a signal the master sent or that stopped it before its handlers were set.</summary>
    public const string Signal = "signal";
    /// <summary>Murdered by the master for silence or a call running past timeout, or killed after graceful_timeout.</summary>
    public const string Timeout = "timeout";
    /// <summary>Failed to boot: the app or its hooks did not load.</summary>
    public const string BootError = "boot_error";

    /// <summary>Classifies an exit as the arbiter saw it.</summary>
    /// <param name="code">The exit code; 128 + N for a death by signal N.</param>
    /// <param name="booted">The worker had reported booted.</param>
    /// <param name="killedByMaster">The master sent SIGKILL or SIGABRT and said why (timeout, graceful_timeout).</param>
    /// <param name="asked">The master had asked it to stop (retired, or the server stops).</param>
    public static string Of(int code, bool booted, bool killedByMaster, bool asked, bool bootErrorCode) => code switch
    {
        0 => Normal,
        _ when killedByMaster => Timeout,
        _ when bootErrorCode && !booted => BootError,
        > 128 when asked => Signal,
        _ => Crash,
    };
}
