using Microsoft.Extensions.Logging;
using Tunicorn.IO;

namespace Tunicorn.Worker;

/// <summary>
/// Up to <c>worker_connections</c> connections at once on async/await: for I/O-bound handlers
/// (gunicorn_thrift's gevent worker). The default class.
/// </summary>
/// <remarks>
/// Plain connections run on the worker's <see cref="ReadinessLoop"/>: a call is read, run and answered on the thread
/// that saw it arrive. A handler that blocks holds that thread; the loop then adds threads, up to one a connection.
/// </remarks>
public sealed class AsyncWorker(WorkerOptions options) : WorkerBase(options)
{
    protected override int ConnectionLimit => Math.Max(1, Settings.WorkerConnections);

    private protected override ReadinessLoop? CreateReadinessLoop() =>
        new(maxThreads: Math.Min(ConnectionLimit, MaxLoopThreads), LoggerFactory.CreateLogger<ReadinessLoop>());

    /// <summary>Beyond this, more threads blocked in handlers only cost memory: use the threaded class for such handlers.</summary>
    private const int MaxLoopThreads = 256;
}
