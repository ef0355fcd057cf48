using System.Buffers.Binary;
using System.Text;

namespace Tunicorn.ZooKeeper.Protocol;

/// <summary>
/// Builds one length-prefixed frame in ZooKeeper's jute binary encoding: big-endian integers, booleans as one
/// byte, buffers and strings (UTF-8) as an int length and the bytes (-1 for null), vectors as an int count and
/// the elements.
/// </summary>
internal sealed class JuteWriter
{
    private const int XidOffset = 4;

    private byte[] _buffer = new byte[256];
    private int _length;

    private JuteWriter()
    {
        // Room for the frame length, written by ToFrame once the body is known.
        _length = 4;
    }

    /// <summary>A frame with no request header: only the connect request has none.</summary>
    public static JuteWriter ForConnect() => new();

    /// <summary>A frame that starts with a request header; the xid is set later by <see cref="SetXid"/>, when the request is queued.</summary>
    public static JuteWriter ForRequest(OpCode type, int xid = 0)
    {
        var writer = new JuteWriter();
        writer.WriteInt(xid);
        writer.WriteInt((int)type);
        return writer;
    }

    /// <summary>Overwrites the xid of a frame made by <see cref="ForRequest"/>.</summary>
    public static void SetXid(byte[] frame, int xid) => BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(XidOffset), xid);

    public void WriteInt(int value) => BinaryPrimitives.WriteInt32BigEndian(Grow(4), value);

    public void WriteLong(long value) => BinaryPrimitives.WriteInt64BigEndian(Grow(8), value);

    public void WriteBool(bool value) => Grow(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteBuffer(ReadOnlySpan<byte> value)
    {
        WriteInt(value.Length);
        value.CopyTo(Grow(value.Length));
    }

    public void WriteString(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        WriteInt(length);
        Encoding.UTF8.GetBytes(value, Grow(length));
    }

    public void WriteStrings(IReadOnlyCollection<string> values)
    {
        WriteInt(values.Count);
        foreach (string value in values)
            WriteString(value);
    }

    public void WriteAcls(IReadOnlyCollection<ZooKeeperAcl> acls)
    {
        WriteInt(acls.Count);
        foreach (ZooKeeperAcl acl in acls)
        {
            WriteInt((int)acl.Permissions);
            WriteString(acl.Scheme);
            WriteString(acl.Id);
        }
    }

    /// <summary>The finished frame: its length prefix counts the bytes after it.</summary>
    public byte[] ToFrame()
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer, _length - 4);
        return _buffer.AsSpan(0, _length).ToArray();
    }

    private Span<byte> Grow(int count)
    {
        if (_length + count > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        Span<byte> span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
