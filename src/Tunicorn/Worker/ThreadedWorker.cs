namespace Tunicorn.Worker;

/// <summary>
/// Up to <c>threads</c> connections at once, for handlers that block (legacy libraries, blocking I/O). The
/// thread pool is sized so that every connection can hold a thread while it blocks.
/// </summary>
public sealed class ThreadedWorker(WorkerOptions options) : WorkerBase(options)
{
    protected override int ConnectionLimit => Math.Max(1, Settings.Threads);

    protected override void InitProcess()
    {
        // Without this the pool injects a thread about twice a second, so blocking handlers would queue.
        ThreadPool.GetMinThreads(out int workers, out int io);
        int wanted = ConnectionLimit + Environment.ProcessorCount;
        if (workers < wanted)
            ThreadPool.SetMinThreads(wanted, io);
    }
}
