namespace Tunicorn.WorkerContract;

/// <summary>The kinds of <see cref="WorkerReport"/>.</summary>
internal enum WorkerReportKind
{
    Heartbeat,
    Booted,
    Error,
    /// <summary>The worker cannot go on safely (it ran out of memory): start its replacement, then stop it.</summary>
    Retire,
    /// <summary>The worker began to stop on its own (max_requests, master gone, listener failed): its exit 0 is expected.</summary>
    Stopping,
}
