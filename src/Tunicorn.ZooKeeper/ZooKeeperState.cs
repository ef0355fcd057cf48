namespace Tunicorn.ZooKeeper;

/// <summary>Where a <see cref="ZooKeeperClient"/>'s session stands.</summary>
public enum ZooKeeperState
{
    /// <summary>No session yet: the client tries the servers in turn until one grants a session.</summary>
    Connecting,

    /// <summary>The session is established over a live connection; operations are sent at once.</summary>
    Connected,

    /// <summary>
    /// The connection was lost; the client reconnects to a server of the ensemble with the same session, so the
    /// session's ephemeral nodes and watches survive if it succeeds within the session timeout. Operations wait.
    /// </summary>
    Disconnected,

    /// <summary>Final: the session is gone (the server said so, or no server was reached within the session timeout).</summary>
    Expired,

    /// <summary>Final: the client closed its session.</summary>
    Closed,
}
