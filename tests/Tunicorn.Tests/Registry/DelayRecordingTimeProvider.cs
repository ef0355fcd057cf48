using System.Collections.Concurrent;

namespace Tunicorn.Tests.Registry;

/// <summary>
/// A clock whose timers fire at once and note how long they were asked to wait: a back-off is checked by the delays
/// it asked for, without waiting them out.
/// </summary>
internal sealed class DelayRecordingTimeProvider : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _delays = new();

    public IReadOnlyList<TimeSpan> Delays => [.. _delays];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _delays.Enqueue(dueTime);
        // Fired from the pool, not from here: the caller has not stored the timer yet.
        ThreadPool.QueueUserWorkItem(_ => callback(state));
        return new FiredTimer();
    }

    private sealed class FiredTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
