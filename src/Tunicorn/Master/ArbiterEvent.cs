using System.Diagnostics;
using Tunicorn.Worker;

namespace Tunicorn.Master;

/// <summary>What wakes the arbiter loop. Signal handlers and process callbacks only enqueue these.</summary>
internal abstract record ArbiterEvent
{
    public sealed record SignalReceived(int Signal) : ArbiterEvent;

    /// <summary>Written by the pass timer every second: the loop passes at least that often, with no timeout of its own.</summary>
    public sealed record PassDue : ArbiterEvent
    {
        public static readonly PassDue Instance = new();
    }

    /// <param name="ReportsRead">Set once the worker's last reports were read, so that its exit is judged with them.</param>
    public sealed record WorkerExited(Process Process, bool ReportsRead = false) : ArbiterEvent;

    public sealed record WorkerReported(WorkerProcess Worker, WorkerReport Report) : ArbiterEvent;
}
