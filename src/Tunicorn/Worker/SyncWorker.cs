namespace Tunicorn.Worker;

/// <summary>
/// One call at a time, over up to <c>worker_connections</c> connections: a handler never runs concurrently with itself
/// in one worker (gunicorn's sync worker), yet pooled persistent clients are all served. Between calls, every
/// connection with a call waiting gets its turn, oldest first; a handler that blocks blocks only this worker.
/// </summary>
internal sealed class SyncWorker(WorkerOptions options) : WorkerBase(options)
{
    protected override int ConnectionLimit => Math.Max(1, Settings.WorkerConnections);

    protected override int? CallsAtOnce => 1;

    // Calls run on the call thread; a second loop thread is there for the rare call whose body arrives in pieces, so
    // that its handler, continued on the loop thread, does not hold the other connections' reads if it blocks.
    protected override (int Initial, int Max) LoopThreads => (1, 2);
}
