namespace Tunicorn.ZooKeeper.Protocol;

/// <summary>A watch notification as the server sends it (WatcherEvent), with the server's full path.</summary>
internal readonly record struct WatcherEventRecord(ZooKeeperEventType Type, int KeeperState, string Path)
{
    public static WatcherEventRecord Read(ref JuteReader reader)
    {
        var type = (ZooKeeperEventType)reader.ReadInt();
        int state = reader.ReadInt();
        string path = reader.ReadRequiredString("watch event path");
        return new WatcherEventRecord(type, state, path);
    }
}
