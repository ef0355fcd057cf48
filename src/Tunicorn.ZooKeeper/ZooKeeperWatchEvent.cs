namespace Tunicorn.ZooKeeper;

/// <summary>
/// A watch fired. Watches are one-shot: the watcher is called once, and must set a new watch (read again with a
/// watcher) to hear of the next change.
/// </summary>
/// <param name="Type">What happened to the node, or <see cref="ZooKeeperEventType.None"/> when the session ended.</param>
/// <param name="State">The client's state when the event was delivered: Connected for node events, Expired or Closed for None.</param>
/// <param name="Path">The watched node, relative to the client's chroot.</param>
public sealed record ZooKeeperWatchEvent(ZooKeeperEventType Type, ZooKeeperState State, string Path);
