namespace Tunicorn.ZooKeeper.Protocol;

/// <summary>
/// Encodes the requests this client sends (the *Request records of zookeeper.jute), each as a complete frame
/// whose xid is filled in when it is queued. Paths here are the server's: the chroot is already prepended.
/// </summary>
internal static class Requests
{
    public static byte[] Create(string path, ReadOnlySpan<byte> data, IReadOnlyCollection<ZooKeeperAcl> acl, ZooKeeperCreateMode mode)
    {
        JuteWriter writer = JuteWriter.ForRequest(OpCode.Create);
        writer.WriteString(path);
        writer.WriteBuffer(data);
        writer.WriteAcls(acl);
        writer.WriteInt((int)mode);
        return writer.ToFrame();
    }

    public static byte[] Delete(string path, int version)
    {
        JuteWriter writer = JuteWriter.ForRequest(OpCode.Delete);
        writer.WriteString(path);
        writer.WriteInt(version);
        return writer.ToFrame();
    }

    /// <summary>ExistsRequest, GetDataRequest and GetChildren2Request share this shape: a path and whether to leave a watch.</summary>
    public static byte[] PathAndWatch(OpCode type, string path, bool watch)
    {
        JuteWriter writer = JuteWriter.ForRequest(type);
        writer.WriteString(path);
        writer.WriteBool(watch);
        return writer.ToFrame();
    }

    /// <summary>GetACLRequest and SyncRequest: only a path.</summary>
    public static byte[] PathOnly(OpCode type, string path)
    {
        JuteWriter writer = JuteWriter.ForRequest(type);
        writer.WriteString(path);
        return writer.ToFrame();
    }

    public static byte[] SetData(string path, ReadOnlySpan<byte> data, int version)
    {
        JuteWriter writer = JuteWriter.ForRequest(OpCode.SetData);
        writer.WriteString(path);
        writer.WriteBuffer(data);
        writer.WriteInt(version);
        return writer.ToFrame();
    }

    public static byte[] Auth(string scheme, ReadOnlySpan<byte> auth)
    {
        JuteWriter writer = JuteWriter.ForRequest(OpCode.Auth, Xid.Auth);
        // AuthPacket.type is unused by the server; the Java client sends 0.
        writer.WriteInt(0);
        writer.WriteString(scheme);
        writer.WriteBuffer(auth);
        return writer.ToFrame();
    }

    /// <summary>SetWatches: the watches this client holds, and the zxid they are relative to, so that the server fires at once for what changed since.</summary>
    public static byte[] SetWatches(long relativeZxid, IReadOnlyCollection<string> data, IReadOnlyCollection<string> exist, IReadOnlyCollection<string> child)
    {
        JuteWriter writer = JuteWriter.ForRequest(OpCode.SetWatches, Xid.SetWatches);
        writer.WriteLong(relativeZxid);
        writer.WriteStrings(data);
        writer.WriteStrings(exist);
        writer.WriteStrings(child);
        return writer.ToFrame();
    }

    public static byte[] Ping() => JuteWriter.ForRequest(OpCode.Ping, Xid.Ping).ToFrame();

    public static byte[] CloseSession() => JuteWriter.ForRequest(OpCode.CloseSession).ToFrame();
}
