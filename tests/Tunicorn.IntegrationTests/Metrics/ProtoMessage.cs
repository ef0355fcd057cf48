using System.Text;

namespace Tunicorn.IntegrationTests.Metrics;

/// <summary>
/// A protobuf message read field by field without its schema: enough to walk an OTLP export by field numbers
/// (opentelemetry/proto/metrics/v1/metrics.proto) in a test.
/// </summary>
internal sealed class ProtoMessage
{
    private readonly List<(int Field, int WireType, ulong Number, byte[]? Bytes)> _fields = [];

    public static ProtoMessage Parse(byte[] data)
    {
        var message = new ProtoMessage();
        int at = 0;
        while (at < data.Length)
        {
            ulong tag = Varint(data, ref at);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            switch (wire)
            {
                case 0:
                    message._fields.Add((field, wire, Varint(data, ref at), null));
                    break;
                case 1:
                    message._fields.Add((field, wire, BitConverter.ToUInt64(data, at), null));
                    at += 8;
                    break;
                case 2:
                    int length = (int)Varint(data, ref at);
                    message._fields.Add((field, wire, 0, data[at..(at + length)]));
                    at += length;
                    break;
                case 5:
                    message._fields.Add((field, wire, BitConverter.ToUInt32(data, at), null));
                    at += 4;
                    break;
                default:
                    throw new FormatException($"wire type {wire} at byte {at}");
            }
        }
        return message;
    }

    private static ulong Varint(byte[] data, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
                return value;
        }
    }

    public IEnumerable<ProtoMessage> Messages(int field) => _fields.Where(f => f.Field == field && f.Bytes is not null).Select(f => Parse(f.Bytes!));

    public ProtoMessage? Message(int field) => Messages(field).FirstOrDefault();

    public string? String(int field) => _fields.Where(f => f.Field == field && f.Bytes is not null).Select(f => Encoding.UTF8.GetString(f.Bytes!)).FirstOrDefault();

    /// <summary>A fixed64 or varint field's value.</summary>
    public ulong? Number(int field) => _fields.Where(f => f.Field == field && f.Bytes is null).Select(f => (ulong?)f.Number).FirstOrDefault();
}
