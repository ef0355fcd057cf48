namespace Tunicorn.ZooKeeper.Protocol;

/// <summary>
/// The first frame on a connection (ConnectRequest): a new session (SessionId 0) or the resumption of one.
/// The trailing readOnly flag is not in the jute record; servers since 3.4 read it when present.
/// </summary>
/// <param name="LastZxidSeen">The newest zxid this session has seen: a server that is behind it refuses the connection, so the client never goes back in time.</param>
internal sealed record ConnectRequest(long LastZxidSeen, int TimeoutMs, long SessionId, ReadOnlyMemory<byte> Password)
{
    /// <summary>The only protocol version there is.</summary>
    public const int ProtocolVersion = 0;

    public byte[] ToFrame()
    {
        JuteWriter writer = JuteWriter.ForConnect();
        writer.WriteInt(ProtocolVersion);
        writer.WriteLong(LastZxidSeen);
        writer.WriteInt(TimeoutMs);
        writer.WriteLong(SessionId);
        // A new session sends a zeroed password of the usual 16 bytes, as the Java client does.
        writer.WriteBuffer(Password.IsEmpty ? new byte[16] : Password.Span);
        // Read-only mode is not supported: the client only talks to servers in a quorum.
        writer.WriteBool(false);
        return writer.ToFrame();
    }
}
