namespace Tunicorn.Worker;

/// <summary>
/// Up to <c>threads</c> calls at once, over up to <c>worker_connections</c> connections, for handlers that block
/// (legacy libraries, blocking I/O), and an idle connection costs no thread (gunicorn's gthread). A call runs on the
/// loop thread that saw it arrive when a turn is free; waiting calls get their turns oldest first, on a call thread.
/// </summary>
internal sealed class ThreadedWorker(WorkerOptions options) : WorkerBase(options)
{
    private int Threads => Math.Max(1, Settings.Threads);

    protected override int ConnectionLimit => Math.Max(1, Settings.WorkerConnections);

    protected override int? CallsAtOnce => Threads;

    // Handlers that block hold loop threads: the loop adds one within 5 ms once every one it has is blocked, up to one a
    // turn plus one that goes on reading and writing.
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
