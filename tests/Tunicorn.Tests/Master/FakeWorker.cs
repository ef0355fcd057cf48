using Tunicorn.Master;
using Tunicorn.Worker;
using Tunicorn.WorkerContract;

namespace Tunicorn.Tests.Master;

/// <summary>
/// A worker process in memory. Its reports reach the arbiter's reader synchronously (those sent before the reader
/// started, when it starts), so a test knows that everything it sent is queued for the next pass.
/// </summary>
internal sealed class FakeWorker(int pid, WorkerLaunch launch, Action<int, int> onExit) : IWorkerLink
{
    private readonly List<WorkerReport> _unread = [];
    private readonly TaskCompletionSource _closed = new();
    private Action<WorkerReport>? _reader;

    public int Pid { get; } = pid;

    public WorkerLaunch Launch { get; } = launch;

    public bool HasExited { get; private set; }

    public bool Disposed { get; private set; }

    public void Report(WorkerReport report)
    {
        if (_reader is null)
            _unread.Add(report);
        else
            _reader(report);
    }

    public void Boot() => Report(WorkerReport.Booted());

    public void Heartbeat(long oldestCallMs = 0, string? method = null) => Report(WorkerReport.Heartbeat(0, 0, oldestCallMs, method));

    /// <summary>The process ends: its end of the socket closes, then the runtime reports its exit.</summary>
    public void Exit(int code)
    {
        if (HasExited)
            return;
        HasExited = true;
        _closed.TrySetResult();
        onExit(Pid, code);
    }

    /// <summary>The report reader fails with <paramref name="fault"/> (a bug in the master, not a worker that died).</summary>
    public void FailReading(Exception fault) => _closed.TrySetException(fault);

    public Task ReadReportsAsync(Action<WorkerReport> onReport, CancellationToken cancellationToken)
    {
        foreach (var report in _unread)
            onReport(report);
        _unread.Clear();
        _reader = onReport;
        cancellationToken.Register(() => _closed.TrySetResult());
        return _closed.Task;
    }

    public void Dispose() => Disposed = true;
}
