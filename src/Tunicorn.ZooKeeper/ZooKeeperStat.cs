namespace Tunicorn.ZooKeeper;

/// <summary>A node's metadata (the Stat record; the names are ZooKeeper's own, which its documentation and tools use).</summary>
/// <param name="Czxid">The zxid of the transaction that created the node.</param>
/// <param name="Mzxid">The zxid of the transaction that last changed the node's data.</param>
/// <param name="Ctime">When the node was created, in milliseconds since the Unix epoch.</param>
/// <param name="Mtime">When the node's data last changed, in milliseconds since the Unix epoch.</param>
/// <param name="Version">Number of changes to the data: the version a conditional set or delete names.</param>
/// <param name="Cversion">Number of changes to the children.</param>
/// <param name="Aversion">Number of changes to the ACL.</param>
/// <param name="EphemeralOwner">The session id that owns the node if it is ephemeral, else 0.</param>
/// <param name="DataLength">Length of the data in bytes.</param>
/// <param name="NumChildren">Number of children.</param>
/// <param name="Pzxid">The zxid of the transaction that last changed the children.</param>
public sealed record ZooKeeperStat(
    long Czxid,
    long Mzxid,
    long Ctime,
    long Mtime,
    int Version,
    int Cversion,
    int Aversion,
    long EphemeralOwner,
    int DataLength,
    int NumChildren,
    long Pzxid)
{
    public DateTimeOffset CreatedAt => DateTimeOffset.FromUnixTimeMilliseconds(Ctime);

    public DateTimeOffset ModifiedAt => DateTimeOffset.FromUnixTimeMilliseconds(Mtime);

    public bool IsEphemeral => EphemeralOwner != 0;
}
