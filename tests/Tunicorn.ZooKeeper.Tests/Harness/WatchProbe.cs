namespace Tunicorn.ZooKeeper.Tests.Harness;

/// <summary>A watcher that remembers how often it was called and lets a test await its first event with a deadline.</summary>
internal sealed class WatchProbe
{
    private readonly TaskCompletionSource<ZooKeeperWatchEvent> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<ZooKeeperWatchEvent> _events = [];

    public WatchProbe() => Watcher = OnEvent;

    /// <summary>One delegate instance for the probe's life, as a caller re-arming the same watcher would pass.</summary>
    public Action<ZooKeeperWatchEvent> Watcher { get; }

    public IReadOnlyList<ZooKeeperWatchEvent> Events
    {
        get
        {
            lock (_events)
                return [.. _events];
        }
    }

    public Task<ZooKeeperWatchEvent> WaitAsync(TimeSpan timeout) => _first.Task.WaitAsync(timeout);

    private void OnEvent(ZooKeeperWatchEvent fired)
    {
        lock (_events)
            _events.Add(fired);
        _first.TrySetResult(fired);
    }
}
