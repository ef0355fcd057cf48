namespace Tunicorn.ZooKeeper.Protocol;

/// <summary>
/// Reserved request ids (ClientCnxn). Ordinary requests count up from 1; these mark the packets that are not
/// answers to them, so that the reader can route them without looking them up.
/// </summary>
internal static class Xid
{
    /// <summary>A watch event the server pushes (reply header xid -1, body WatcherEvent).</summary>
    public const int Notification = -1;

    public const int Ping = -2;

    /// <summary>Authentication packets and their answers. The server answers them as soon as it reads them, ahead of requests still in its pipeline.</summary>
    public const int Auth = -4;

    /// <summary>Re-registration of watches after a reconnect; answered in order like an ordinary request.</summary>
    public const int SetWatches = -8;

    public const int First = 1;
}
