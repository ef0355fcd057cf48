using System.Buffers.Binary;
using System.Text;

namespace Tunicorn.ZooKeeper.Protocol;

/// <summary>
/// Reads jute records from one received frame. Every length and count is checked against the bytes that are
/// left before anything is allocated for it, so a hostile or corrupt frame fails with a protocol error.
/// </summary>
internal ref struct JuteReader(ReadOnlySpan<byte> frame)
{
    /// <summary>The smallest encoded string or buffer (its length field): bounds a vector's count by the bytes left.</summary>
    private const int MinElementLength = 4;

    /// <summary>The encoded size of a Stat: six longs and five ints.</summary>
    public const int StatLength = (6 * 8) + (5 * 4);

    private ReadOnlySpan<byte> _rest = frame;

    public readonly int Remaining => _rest.Length;

    public int ReadInt() => BinaryPrimitives.ReadInt32BigEndian(Take(4, "int"));

    public long ReadLong() => BinaryPrimitives.ReadInt64BigEndian(Take(8, "long"));

    public bool ReadBool() => Take(1, "boolean")[0] != 0;

    /// <summary>A buffer; a null buffer (length -1) reads as empty, since callers treat "no data" and "empty data" alike.</summary>
    public byte[] ReadBuffer()
    {
        int length = ReadLength("buffer");
        return length <= 0 ? [] : Take(length, "buffer").ToArray();
    }

    public string? ReadString()
    {
        int length = ReadLength("string");
        return length < 0 ? null : Encoding.UTF8.GetString(Take(length, "string"));
    }

    public string ReadRequiredString(string what) =>
        ReadString() ?? throw new ZooKeeperProtocolException($"the server sent a null {what}");

    public List<string> ReadStrings(string what)
    {
        int count = ReadCount(what);
        var values = new List<string>(count);
        for (int i = 0; i < count; i++)
            values.Add(ReadRequiredString(what));
        return values;
    }

    public List<ZooKeeperAcl> ReadAcls()
    {
        // An ACL is at least an int and two string lengths.
        int count = ReadCount("ACL list", 3 * MinElementLength);
        var acls = new List<ZooKeeperAcl>(count);
        for (int i = 0; i < count; i++)
        {
            var permissions = (ZooKeeperPermissions)ReadInt();
            acls.Add(new ZooKeeperAcl(permissions, ReadRequiredString("ACL scheme"), ReadRequiredString("ACL id")));
        }
        return acls;
    }

    public ZooKeeperStat ReadStat()
    {
        if (_rest.Length < StatLength)
            throw Truncated("Stat", StatLength);
        return new ZooKeeperStat(
            Czxid: ReadLong(),
            Mzxid: ReadLong(),
            Ctime: ReadLong(),
            Mtime: ReadLong(),
            Version: ReadInt(),
            Cversion: ReadInt(),
            Aversion: ReadInt(),
            EphemeralOwner: ReadLong(),
            DataLength: ReadInt(),
            NumChildren: ReadInt(),
            Pzxid: ReadLong());
    }

    private int ReadLength(string what)
    {
        int length = ReadInt();
        if (length < -1)
            throw new ZooKeeperProtocolException($"the server sent a {what} of length {length}");
        if (length > _rest.Length)
            throw Truncated(what, length);
        return length;
    }

    private int ReadCount(string what, int minElementLength = MinElementLength)
    {
        int count = ReadInt();
        if (count == -1)
            return 0;
        if (count < 0 || (long)count * minElementLength > _rest.Length)
            throw new ZooKeeperProtocolException($"the server sent a {what} of {count} entries in {_rest.Length} bytes");
        return count;
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > _rest.Length)
            throw Truncated(what, count);
        ReadOnlySpan<byte> taken = _rest[..count];
        _rest = _rest[count..];
        return taken;
    }

    private readonly ZooKeeperProtocolException Truncated(string what, int needed) =>
        new($"truncated frame: a {what} needs {needed} bytes, {_rest.Length} left");
}
