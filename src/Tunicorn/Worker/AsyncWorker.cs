namespace Tunicorn.Worker;

/// <summary>
/// Up to <c>worker_connections</c> connections at once on async/await: for I/O-bound handlers
/// (gunicorn_thrift's gevent worker). The default class.
/// </summary>
/// <remarks>
/// One loop thread reads, runs and answers every call that arrives whole, without a thread hop. A handler that
/// blocks holds that thread; the loop then adds threads, up to one a connection (at most <see cref="MaxLoopThreads"/>).
/// </remarks>
internal sealed class AsyncWorker(WorkerOptions options) : WorkerBase(options)
{
    /// <summary>Beyond this, more threads blocked in handlers only cost memory: such handlers want the threaded class.</summary>
    private const int MaxLoopThreads = 256;

    protected override int ConnectionLimit => Math.Max(1, Settings.WorkerConnections);

    protected override (int Initial, int Max) LoopThreads => (1, Math.Min(ConnectionLimit, MaxLoopThreads));
}
