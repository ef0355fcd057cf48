namespace Tunicorn.Worker;

/// <summary>
/// Up to <c>threads</c> calls at once, over up to <c>worker_connections</c> connections, for handlers that block
/// (legacy libraries, blocking I/O): each call runs on one of <c>threads</c> call threads, and an idle connection
/// costs no thread (gunicorn's gthread). Waiting calls get their turns oldest first.
/// </summary>
internal sealed class ThreadedWorker(WorkerOptions options) : WorkerBase(options)
{
    private int Threads => Math.Max(1, Settings.Threads);

    protected override int ConnectionLimit => Math.Max(1, Settings.WorkerConnections);

    protected override int? CallsAtOnce => Threads;

    // Handlers run on the call threads. A reply that had to wait for room in the send buffer ends its call (post_request
    // hooks included) on the loop thread that saw the room; if such a hook blocks, the loop adds a thread within 5 ms.
    protected override (int Initial, int Max) LoopThreads => (1, Threads + 1);

    protected override TimeSpan LoopStallCheck => TimeSpan.FromMilliseconds(5);

    protected override void InitProcess()
    {
        // Handlers that go async and then block continue on the pool: without this it injects a thread about twice a
        // second, so they would queue.
        ThreadPool.GetMinThreads(out int workers, out int io);
        int wanted = Threads + Environment.ProcessorCount;
        if (workers < wanted)
            ThreadPool.SetMinThreads(wanted, io);
    }
}
