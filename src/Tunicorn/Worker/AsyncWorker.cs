namespace Tunicorn.Worker;

/// <summary>
/// Up to <c>worker_connections</c> connections at once on async/await: for I/O-bound handlers
/// (gunicorn_thrift's gevent worker). The default class.
/// </summary>
public sealed class AsyncWorker(WorkerOptions options) : WorkerBase(options)
{
    protected override int ConnectionLimit => Math.Max(1, Settings.WorkerConnections);
}
