namespace Tunicorn.ZooKeeper.Protocol;

/// <summary>The server's answer to a <see cref="ConnectRequest"/>. A timeout of 0 means the session asked for has expired.</summary>
internal sealed record ConnectResponse(int ProtocolVersion, int TimeoutMs, long SessionId, byte[] Password, bool ReadOnly)
{
    public bool SessionExpired => TimeoutMs <= 0;

    public static ConnectResponse Parse(byte[] frame)
    {
        var reader = new JuteReader(frame);
        int protocolVersion = reader.ReadInt();
        int timeoutMs = reader.ReadInt();
        long sessionId = reader.ReadLong();
        byte[] password = reader.ReadBuffer();
        // Servers older than 3.4 end the record here.
        bool readOnly = reader.Remaining > 0 && reader.ReadBool();
        return new ConnectResponse(protocolVersion, timeoutMs, sessionId, password, readOnly);
    }
}
