using Tunicorn.ZooKeeper.Protocol;

namespace Tunicorn.ZooKeeper.Connection;

/// <summary>What a connection tells the session that owns it. Called on the connection's reader or timer: must not block.</summary>
internal interface IConnectionOwner
{
    /// <summary>A reply carried this zxid (only positive ones are reported).</summary>
    void OnZxidSeen(long zxid);

    void OnWatchEvent(WatcherEventRecord watchEvent);

    /// <summary>Called once, before the requests still waiting are failed, so that they fail in the new state.</summary>
    void OnConnectionLost(ZooKeeperConnection connection, Exception reason);
}
