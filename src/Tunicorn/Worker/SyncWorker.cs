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

    // The call runs on the loop thread that saw it arrive when the turn is free; a second loop thread goes on reading the
    // other connections while a handler blocks the first (their calls wait for the turn).
    protected override (int Initial, int Max) LoopThreads => (1, 2);
}
