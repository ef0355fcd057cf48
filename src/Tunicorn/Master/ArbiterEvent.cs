using System.Diagnostics;
using Tunicorn.Worker;

namespace Tunicorn.Master;

/// <summary>What wakes the arbiter loop. Signal handlers and process callbacks only enqueue these.</summary>
public abstract record ArbiterEvent
{
    public sealed record SignalReceived(int Signal) : ArbiterEvent;

    public sealed record WorkerExited(Process Process) : ArbiterEvent;

    public sealed record WorkerReported(WorkerProcess Worker, WorkerReport Report) : ArbiterEvent;
}
