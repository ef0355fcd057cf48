namespace Tunicorn.ZooKeeper.Connection;

/// <summary>How a request's answer is matched: each kind is routed by its xid (see <see cref="Protocol.Xid"/>).</summary>
internal enum RequestKind
{
    /// <summary>Gets the next xid; its answer comes in the order the requests were written.</summary>
    Ordinary,

    /// <summary>Fixed xid -8, answered in order like an ordinary request.</summary>
    SetWatches,

    /// <summary>Fixed xid -4, answered ahead of the requests still in the server's pipeline, in the order sent.</summary>
    Auth,

    /// <summary>Fixed xid -2; the answer only proves the connection is alive, nobody waits for it.</summary>
    Ping,
}
