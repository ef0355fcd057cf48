namespace Tunicorn.ZooKeeper.Connection;

/// <summary>An answer: the server's error code and the record after the reply header (empty on error).</summary>
internal readonly record struct Reply(ZooKeeperErrorCode Error, long Zxid, ReadOnlyMemory<byte> Body);
