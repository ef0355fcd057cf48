using Microsoft.Extensions.Logging;

namespace Tunicorn.Master;

/// <summary>
/// The tasks the arbiter starts and does not await on its loop (report readers, the registry, waits for a worker's last
/// reports): each is tracked until it ends, and a failure is logged with what the task was, never lost.
/// </summary>
internal sealed partial class BackgroundTasks(ILogger log)
{
    private readonly Lock _lock = new();
    private readonly HashSet<Task> _running = [];

    public int Count
    {
        get
        {
            lock (_lock)
                return _running.Count;
        }
    }

    /// <param name="what">Names the task in the log line of its failure ("reading the reports of worker 1234").</param>
    public Task Track(string what, Task task)
    {
        lock (_lock)
            _running.Add(task);
        task.ContinueWith(t =>
        {
            lock (_lock)
                _running.Remove(t);
            if (t.Exception is { } e)
                TaskFailed(log, what, e.GetBaseException());
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    /// <summary>Waits up to <paramref name="bound"/> for the tasks still running (the master is stopping and cancelled them).</summary>
    public async Task DrainAsync(TimeSpan bound, TimeProvider time)
    {
        Task[] running;
        lock (_lock)
            running = [.. _running];
        if (running.Length == 0)
            return;
        try
        {
            await Task.WhenAll(running).WaitAsync(bound, time);
        }
        catch (Exception)
        {
            // A failure was logged by the task's own continuation; one still running at the bound is let go with the process.
        }
    }

    [LoggerMessage(EventId = 1044, Level = LogLevel.Error, Message = "Master task failed ({Task}); the master carries on")]
    private static partial void TaskFailed(ILogger logger, string task, Exception exception);
}
