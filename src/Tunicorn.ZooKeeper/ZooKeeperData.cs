namespace Tunicorn.ZooKeeper;

/// <summary>A node's data and metadata, read together in one consistent answer.</summary>
/// <param name="Data">The data; empty when the node has none.</param>
public sealed record ZooKeeperData(byte[] Data, ZooKeeperStat Stat);
