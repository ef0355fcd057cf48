namespace Tunicorn.Worker;

/// <summary>
/// Up to <c>threads</c> connections at once, for handlers that block (legacy libraries, blocking I/O): the worker's
/// loop adds a thread within 5 ms whenever handlers hold every one it has, up to one a connection, and the thread
/// pool is sized likewise.
/// </summary>
internal sealed class ThreadedWorker(WorkerOptions options) : WorkerBase(options)
{
    protected override int ConnectionLimit => Math.Max(1, Settings.Threads);

    protected override string ConnectionLimitName => "threads";

    // Loop threads up to one a connection, added as soon as handlers hold every one of them, rather than all from the
    // start: threads that all wait in epoll are each woken for one call, where one busy thread takes every call that
    // is ready in one wait (measured: threaded at 64 connections with 128 threads went from 0.75x to about async's calls/s).
    protected override (int Initial, int Max) LoopThreads => (1, ConnectionLimit);

    protected override TimeSpan LoopStallCheck => TimeSpan.FromMilliseconds(5);

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
