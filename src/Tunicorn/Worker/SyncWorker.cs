namespace Tunicorn.Worker;

/// <summary>
/// One connection at a time, its calls run to completion before the next connection is accepted: strict
/// isolation for CPU-bound handlers (gunicorn's sync worker). Accepting one at a time also shares connections
/// evenly between workers (PLATFORM-NOTES).
/// </summary>
internal sealed class SyncWorker(WorkerOptions options) : WorkerBase(options)
{
    protected override int ConnectionLimit => 1;

    protected override string ConnectionLimitName => "the sync class's one connection";
}
