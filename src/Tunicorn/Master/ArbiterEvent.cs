using Tunicorn.Worker;
using Tunicorn.WorkerContract;

namespace Tunicorn.Master;

/// <summary>What wakes the arbiter loop. Signal handlers, exit callbacks and report readers only enqueue these.</summary>
internal abstract record ArbiterEvent
{
    public sealed record SignalReceived(int Signal) : ArbiterEvent;

    /// <summary>Written by the pass timer every second: the loop passes at least that often, with no timeout of its own.</summary>
    public sealed record PassDue : ArbiterEvent
    {
        public static readonly PassDue Instance = new();
    }

    /// <summary>Written by the watchdog timer every half of systemd's WATCHDOG_USEC: the loop answers WATCHDOG=1 when it runs.</summary>
    public sealed record WatchdogDue : ArbiterEvent
    {
        public static readonly WatchdogDue Instance = new();
    }

    /// <param name="ExitCode">The exit status; 128 + N for a death by signal N (PLATFORM-NOTES).</param>
    /// <param name="ReportsRead">Set once the worker's last reports were read, so that its exit is judged with them.</param>
    public sealed record WorkerExited(int Pid, int ExitCode, bool ReportsRead = false) : ArbiterEvent;

    /// <summary>A report other than a heartbeat (heartbeats have their own queue: they are many and need not wake the loop).</summary>
    /// <param name="ReceivedAt">When the reader got it, a timestamp of the arbiter's <see cref="TimeProvider"/>.</param>
    public sealed record WorkerReported(WorkerProcess Worker, WorkerReport Report, long ReceivedAt) : ArbiterEvent;

    /// <summary>The new master this one started by USR2 exited (128 + N for a death by signal N).</summary>
    public sealed record UpgradeExited(int Pid, int ExitCode) : ArbiterEvent;

    /// <summary>A checked request from the control socket; the loop completes <paramref name="Reply"/>.</summary>
    public sealed record ControlRequested(Control.ControlRequest Request, int ClientPid, TaskCompletionSource<Control.ControlReply> Reply) : ArbiterEvent;
}
