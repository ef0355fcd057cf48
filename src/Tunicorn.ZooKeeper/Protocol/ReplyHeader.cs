namespace Tunicorn.ZooKeeper.Protocol;

/// <summary>The header of every frame after the handshake (ReplyHeader): which request it answers, the zxid, the error code.</summary>
internal readonly record struct ReplyHeader(int Xid, long Zxid, ZooKeeperErrorCode Error)
{
    public const int Length = 4 + 8 + 4;

    public static ReplyHeader Read(ref JuteReader reader) =>
        new(reader.ReadInt(), reader.ReadLong(), (ZooKeeperErrorCode)reader.ReadInt());
}
