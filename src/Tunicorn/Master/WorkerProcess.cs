using System.Diagnostics;
using System.Net.Sockets;
using Tunicorn.Hooks;
using Tunicorn.Worker;

namespace Tunicorn.Master;

/// <summary>
/// A worker process as the master sees it: its process, its control socket, and what its last heartbeat said.
/// Heartbeat fields are written by the report reader and read by the arbiter loop.
/// </summary>
internal sealed class WorkerProcess
{
    private long _lastHeartbeat;
    private long _oldestCallMs;
    private long _oldestCallSeenAt;
    private string? _oldestCallMethod;

    internal WorkerProcess(Process process, Socket control, int slot, int age, int generation, long spawnedAt)
    {
        Process = process;
        Pid = process.Id;
        Control = control;
        Slot = slot;
        Age = age;
        Generation = generation;
        SpawnedAt = spawnedAt;
        _lastHeartbeat = spawnedAt;
    }

    public Process Process { get; }
    /// <summary>Captured at spawn: the Process object is disposed when the worker is reaped.</summary>
    public int Pid { get; }
    public int Age { get; }
    /// <summary>Its slot on the <see cref="ConnectionBoard"/>.</summary>
    public int Slot { get; }
    /// <summary>Which reload generation started it: a HUP starts a new generation and retires the older ones.</summary>
    public int Generation { get; }
    public long SpawnedAt { get; }
    internal Socket Control { get; }

    public bool Booted { get; internal set; }
    /// <summary>Sent TERM: it finishes its calls and exits; it no longer counts towards the target.</summary>
    public bool Retiring { get; internal set; }

    /// <summary>Reaped (its pid is free for reuse), but its last reports are still being read before it is removed.</summary>
    public bool Exited { get; internal set; }
    public long? RetiredAt { get; internal set; }
    /// <summary>Why the worker asked to be replaced (it ran out of memory); it is retired once its replacement booted.</summary>
    public string? ReplaceReason { get; internal set; }
    /// <summary>When SIGABRT was sent for a timeout, so the next pass sends SIGKILL.</summary>
    public long? AbortedAt { get; internal set; }
    public string? BootError { get; internal set; }
    /// <summary>Why the worker said it stops on its own (max_requests, master gone): its exit 0 was not asked for by the master.</summary>
    public string? StopReason { get; internal set; }
    /// <summary>Why the master sent SIGKILL, so that the exit is not mistaken for the kernel's OOM killer.</summary>
    public string? KilledBecause { get; internal set; }
    /// <summary>The reader of its reports; done once the worker's end of the socket closed (at its exit).</summary>
    internal Task? Reports { get; set; }
    public int? ExitCode { get; internal set; }
    public long CallsRead { get; private set; }
    public long CallsAnswered { get; private set; }

    public long LastHeartbeat => Volatile.Read(ref _lastHeartbeat);

    public WorkerInfo Info => new(Pid, Age, ExitCode);

    /// <summary>How long the oldest call in flight has been running now, and its method; null when idle.</summary>
    public (TimeSpan Age, string? Method)? OldestCall(long now)
    {
        long ms = Volatile.Read(ref _oldestCallMs);
        if (ms <= 0)
            return null;
        var sinceReport = Stopwatch.GetElapsedTime(Volatile.Read(ref _oldestCallSeenAt), now);
        return (TimeSpan.FromMilliseconds(ms) + sinceReport, _oldestCallMethod);
    }

    /// <summary>Any report proves the worker alive: the boot report starts its heartbeat clock.</summary>
    internal void Touch(long now) => Volatile.Write(ref _lastHeartbeat, now);

    internal void OnHeartbeat(WorkerReport report, long now)
    {
        CallsRead = report.CallsRead;
        CallsAnswered = report.CallsAnswered;
        _oldestCallMethod = report.Text;
        Volatile.Write(ref _oldestCallSeenAt, now);
        Volatile.Write(ref _oldestCallMs, report.OldestCallMs);
        Volatile.Write(ref _lastHeartbeat, now);
    }

    /// <summary>Reads report lines until the worker closes its end (exit) or the master stops reading.</summary>
    /// <remarks>Lines are parsed from the bytes received, so that heartbeats cost the master no allocation.</remarks>
    internal async Task ReadReportsAsync(Action<WorkerProcess, WorkerReport> onReport, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        int filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                    filled = 0; // a line longer than any report: not ours, dropped
                int n = await Control.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
                if (n == 0)
                    return;
                filled += n;
                int start = 0;
                int newline;
                while ((newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
                {
                    if (WorkerReport.TryParse(buffer.AsSpan(start, newline), _oldestCallMethod, out var report))
                        onReport(this, report);
                    start += newline + 1;
                }
                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The worker died or the master is stopping; its exit is handled through Process.Exited.
        }
    }

    public override string ToString() => $"worker {Pid}";
}
