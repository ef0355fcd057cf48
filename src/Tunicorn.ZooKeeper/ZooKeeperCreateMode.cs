namespace Tunicorn.ZooKeeper;

/// <summary>How a node is created (CreateMode; the values are the wire flags of a create request).</summary>
public enum ZooKeeperCreateMode
{
    /// <summary>Stays until deleted.</summary>
    Persistent = 0,

    /// <summary>Deleted by the server when the session that created it ends (closed or expired).</summary>
    Ephemeral = 1,

    /// <summary>Persistent; the server appends a 10-digit counter of the parent to the name.</summary>
    PersistentSequential = 2,

    /// <summary>Ephemeral with a 10-digit counter appended to the name.</summary>
    EphemeralSequential = 3,
}
