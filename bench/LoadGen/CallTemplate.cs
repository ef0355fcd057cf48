using System.Buffers.Binary;
using System.Text;

namespace Tunicorn.Bench.LoadGen;

/// <summary>
/// One call encoded once in the strict binary protocol (optionally framed) together with the exact reply a
/// correct server sends; per call only the sequence id is patched, in both. A reply is right when it equals
/// <see cref="ExpectedReply"/> byte for byte: frame length, message type REPLY, method name, sequence id, and
/// the result struct (field 0 holding the right value, then STOP).
/// </summary>
public sealed class CallTemplate
{
    private const int VersionCall = unchecked((int)0x80010001);   // VERSION_1 | CALL
    private const int VersionReply = unchecked((int)0x80010002);  // VERSION_1 | REPLY
    private const byte TypeStop = 0, TypeI32 = 8, TypeString = 11;

    private readonly int _requestSeqIdOffset;
    private readonly int _replySeqIdOffset;

    private CallTemplate(string method, bool framed, byte[] request, byte[] reply)
    {
        Method = method;
        Framed = framed;
        Request = request;
        ExpectedReply = reply;
        // Frame length (if framed), version word, name length, name: then the sequence id.
        int seqIdOffset = (framed ? 4 : 0) + 4 + 4 + Encoding.UTF8.GetByteCount(method);
        _requestSeqIdOffset = seqIdOffset;
        _replySeqIdOffset = seqIdOffset;
    }

    public string Method { get; }
    public bool Framed { get; }
    public byte[] Request { get; }
    public byte[] ExpectedReply { get; }

    /// <summary>Offset of the message type's low byte in a reply: 3 after the frame length (if any).</summary>
    public int ReplyTypeOffset => (Framed ? 4 : 0) + 3;

    /// <summary><c>add(a, b)</c> of the tutorial Calculator and of the bench service (fields 1 and 2, i32).</summary>
    public static CallTemplate Add(int a, int b, bool framed)
    {
        var args = new List<byte>();
        FieldHeader(args, TypeI32, 1);
        I32(args, a);
        FieldHeader(args, TypeI32, 2);
        I32(args, b);
        args.Add(TypeStop);

        var result = new List<byte>();
        FieldHeader(result, TypeI32, 0);
        I32(result, unchecked(a + b));
        result.Add(TypeStop);
        return Build("add", framed, args, result);
    }

    /// <summary><c>echo(data)</c> of the bench service with <paramref name="size"/> bytes of a fixed pattern.</summary>
    public static CallTemplate Echo(int size, bool framed)
    {
        var payload = new byte[size];
        for (int i = 0; i < size; i++)
            payload[i] = (byte)(i * 31 + 7);

        var args = new List<byte>();
        FieldHeader(args, TypeString, 1);
        I32(args, size);
        args.AddRange(payload);
        args.Add(TypeStop);

        var result = new List<byte>();
        FieldHeader(result, TypeString, 0);
        I32(result, size);
        result.AddRange(payload);
        result.Add(TypeStop);
        return Build("echo", framed, args, result);
    }

    /// <summary>A private copy for one connection, whose sequence ids it patches.</summary>
    public CallTemplate Clone() => new(Method, Framed, (byte[])Request.Clone(), (byte[])ExpectedReply.Clone());

    public void SetSequenceId(int seqId)
    {
        BinaryPrimitives.WriteInt32BigEndian(Request.AsSpan(_requestSeqIdOffset), seqId);
        BinaryPrimitives.WriteInt32BigEndian(ExpectedReply.AsSpan(_replySeqIdOffset), seqId);
    }

    /// <summary>Says how a reply that differs from the expected one at <paramref name="offset"/> is wrong.</summary>
    public string DescribeMismatch(ReadOnlySpan<byte> received, int offset)
    {
        string what = offset == ReplyTypeOffset && received.Length > offset && received[offset] == 3
            ? "the server answered with a TApplicationException"
            : offset >= _replySeqIdOffset && offset < _replySeqIdOffset + 4
                ? "wrong sequence id"
                : offset < (Framed ? 4 : 0) ? "wrong frame length" : "wrong reply bytes";
        return $"{what} at byte {offset} of the {Method} reply (expected 0x{ExpectedReply[offset]:x2}, got 0x{received[offset]:x2})";
    }

    private static CallTemplate Build(string method, bool framed, List<byte> args, List<byte> result) =>
        new(method, framed, Message(VersionCall, method, args, framed), Message(VersionReply, method, result, framed));

    private static byte[] Message(int version, string method, List<byte> body, bool framed)
    {
        var message = new List<byte>();
        I32(message, version);
        byte[] name = Encoding.UTF8.GetBytes(method);
        I32(message, name.Length);
        message.AddRange(name);
        I32(message, 0);   // sequence id, patched per call
        message.AddRange(body);
        if (!framed)
            return [.. message];
        var frame = new List<byte>(message.Count + 4);
        I32(frame, message.Count);
        frame.AddRange(message);
        return [.. frame];
    }

    private static void FieldHeader(List<byte> to, byte type, short id)
    {
        to.Add(type);
        to.Add((byte)(id >> 8));
        to.Add((byte)id);
    }

    private static void I32(List<byte> to, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        to.AddRange(bytes);
    }
}
