using Tunicorn.Worker;
using Tunicorn.WorkerContract;

namespace Tunicorn.Master;

/// <summary>
/// What one heartbeat said, stamped with the master's clock when it arrived. Built by the report reader and posted to
/// the arbiter loop, which keeps the latest per worker; never changed, so the loop never sees half of two heartbeats.
/// </summary>
/// <param name="OldestCallMs">How long the oldest call in flight had run when the worker sent it; 0 when idle.</param>
/// <param name="ReceivedAt">A timestamp of the arbiter's <see cref="TimeProvider"/>.</param>
internal readonly record struct WorkerHeartbeat(long CallsRead, long CallsAnswered, long OldestCallMs, string? OldestCallMethod, long ReceivedAt)
{
    public static WorkerHeartbeat From(WorkerReport report, long receivedAt) =>
        new(report.CallsRead, report.CallsAnswered, report.OldestCallMs, report.Text, receivedAt);

    /// <summary>The oldest call's age <paramref name="sinceReceived"/> after this heartbeat arrived; null when it reported none.</summary>
    public TimeSpan? OldestCallAge(TimeSpan sinceReceived) =>
        OldestCallMs <= 0 ? null : TimeSpan.FromMilliseconds(OldestCallMs) + sinceReceived;
}
