namespace Tunicorn.ZooKeeper;

/// <summary>A node's children (names, not paths, in no particular order) and the node's metadata, read together.</summary>
public sealed record ZooKeeperChildren(IReadOnlyList<string> Children, ZooKeeperStat Stat);
