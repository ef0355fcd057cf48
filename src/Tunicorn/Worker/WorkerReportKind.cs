namespace Tunicorn.Worker;

/// <summary>The kinds of <see cref="WorkerReport"/>.</summary>
public enum WorkerReportKind
{
    Heartbeat,
    Booted,
    Error,
}
