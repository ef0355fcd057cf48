namespace Tunicorn.Worker;

/// <summary>
/// Up to <c>threads</c> connections at once, for handlers that block (legacy libraries, blocking I/O): the worker's
/// loop has a thread for every connection, and the thread pool is sized likewise.
/// </summary>
public sealed class ThreadedWorker(WorkerOptions options) : WorkerBase(options)
{
    protected override int ConnectionLimit => Math.Max(1, Settings.Threads);

    // A loop thread for each connection, from the start: a handler that blocks never delays another connection.
    protected override (int Initial, int Max) LoopThreads => (ConnectionLimit, ConnectionLimit);

    protected override void InitProcess()
    {
        // Handlers that go async and then block continue on the pool: without this it injects a thread about twice a
        // second, so they would queue.
        ThreadPool.GetMinThreads(out int workers, out int io);
        int wanted = ConnectionLimit + Environment.ProcessorCount;
        if (workers < wanted)
            ThreadPool.SetMinThreads(wanted, io);
    }
}
