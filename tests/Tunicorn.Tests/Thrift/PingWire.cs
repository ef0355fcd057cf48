using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Tunicorn.Tests.Thrift;

/// <summary>Calls and replies of <see cref="PingService"/> as bytes of the strict binary protocol over a buffered transport.</summary>
internal static class PingWire
{
    private const uint Version1 = 0x80010000;
    private const byte Call = 1;
    private const byte Reply = 2;
    private const string Method = "ping";

    /// <summary>Version, name, seqid; then an empty argument struct.</summary>
    public static byte[] CallBytes(int seqId, byte messageType = Call)
    {
        var bytes = new byte[4 + 4 + Method.Length + 4 + 1];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Version1 | messageType);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), Method.Length);
        Encoding.ASCII.GetBytes(Method, bytes.AsSpan(8));
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8 + Method.Length), seqId);
        bytes[^1] = 0; // field stop
        return bytes;
    }

    public static byte[] ReplyMessageBytes(int seqId) => CallBytes(seqId, Reply);

    /// <summary>Version, name, seqid, field 0 as i32, field stop.</summary>
    public const int ReplyLength = 4 + 4 + 4 + 4 + 1 + 2 + 4 + 1;

    /// <summary>The value of the reply with <paramref name="seqId"/>; throws when the reply is anything else.</summary>
    public static int ParseReply(ReadOnlySpan<byte> reply, int seqId)
    {
        if (BinaryPrimitives.ReadUInt32BigEndian(reply) != (Version1 | Reply))
            throw new InvalidDataException("not a reply");
        if (BinaryPrimitives.ReadInt32BigEndian(reply[12..]) != seqId)
            throw new InvalidDataException("wrong seqid");
        return BinaryPrimitives.ReadInt32BigEndian(reply[19..]);
    }

    /// <summary>Sends one call and reads its whole reply into <paramref name="buffer"/>; returns the answer.</summary>
    public static async Task<int> CallAsync(Socket client, byte[] call, byte[] buffer, int seqId)
    {
        await client.SendAsync(call);
        int read = 0;
        while (read < ReplyLength)
        {
            int n = await client.ReceiveAsync(buffer.AsMemory(read, ReplyLength - read));
            if (n == 0)
                throw new EndOfStreamException($"the server closed after {read} bytes of the reply");
            read += n;
        }
        return ParseReply(buffer, seqId);
    }
}
