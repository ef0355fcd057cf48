using System.Diagnostics;
using System.Net.Sockets;
using Tunicorn.Worker;
using Tunicorn.WorkerContract;

namespace Tunicorn.Master;

/// <summary>
/// A real worker process, the master's end of their socket pair, over which the worker sends its reports, and of their
/// hand-off channel, over which connections move between workers (<see cref="ConnectionRelay"/>).
/// </summary>
internal sealed class WorkerLink(Process process, Socket control, Socket handOff) : IWorkerLink
{
    public Socket HandOff { get; } = handOff;

    Socket? IWorkerLink.HandOff => HandOff;

    /// <summary>Captured at spawn: the Process object is disposed when the worker is reaped.</summary>
    public int Pid { get; } = process.Id;

    /// <remarks>Lines are parsed from the bytes received, so that heartbeats cost the master no allocation.</remarks>
    public async Task ReadReportsAsync(Action<WorkerReport> onReport, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        int filled = 0;
        string? lastMethod = null;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                    filled = 0; // a line longer than any report: not ours, dropped
                int n = await control.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
                if (n == 0)
                    return;
                filled += n;
                int start = 0;
                int newline;
                while ((newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
                {
                    if (WorkerReport.TryParse(buffer.AsSpan(start, newline), lastMethod, out var report))
                    {
                        if (report.Kind == WorkerReportKind.Heartbeat)
                            lastMethod = report.Text;
                        onReport(report);
                    }
                    start += newline + 1;
                }
                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The worker died or the master is stopping; its exit is reported through Process.Exited.
        }
    }

    public void Dispose()
    {
        control.Dispose();
        HandOff.Dispose();
        process.Dispose();
    }

    public override string ToString() => $"worker {Pid}";
}
