using Tunicorn.Worker;
using Tunicorn.WorkerContract;

namespace Tunicorn.Master;

/// <summary>The master's end of one started worker process: its pid and the reports it sends. Disposed when it is reaped.</summary>
internal interface IWorkerLink : IDisposable
{
    int Pid { get; }

    /// <summary>The master's end of the worker's hand-off channel (SOCK_SEQPACKET, descriptors pass over it); null for none.</summary>
    System.Net.Sockets.Socket? HandOff => null;

    /// <summary>
    /// Reads the worker's reports, calling <paramref name="onReport"/> for each on the reader's thread, until the worker
    /// closes its end (it exited) or <paramref name="cancellationToken"/> is cancelled; never throws for either.
    /// </summary>
    Task ReadReportsAsync(Action<WorkerReport> onReport, CancellationToken cancellationToken);
}
