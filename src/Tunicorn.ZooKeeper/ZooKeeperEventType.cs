namespace Tunicorn.ZooKeeper;

/// <summary>What a watch reports (Watcher.Event.EventType; the values are the wire values).</summary>
public enum ZooKeeperEventType
{
    /// <summary>Not a change of the node: the session ended (<see cref="ZooKeeperWatchEvent.State"/> says how), so the watch will never fire.</summary>
    None = -1,
    NodeCreated = 1,
    NodeDeleted = 2,
    NodeDataChanged = 3,
    NodeChildrenChanged = 4,
}
