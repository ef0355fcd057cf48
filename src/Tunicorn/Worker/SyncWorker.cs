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

    // Handlers run on the call thread. A reply that had to wait for room in the send buffer ends its call (post_request
    // hooks included) on the loop thread that saw the room; a second loop thread is there in case such a hook blocks.
    protected override (int Initial, int Max) LoopThreads => (1, 2);
}
