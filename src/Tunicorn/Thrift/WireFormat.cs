using Thrift.Protocol;
using Thrift.Transport;
using Tunicorn.Config;

namespace Tunicorn.Thrift;

/// <summary>
/// Detects the protocol and the framing of a connection from its first bytes, for <c>auto</c>. Every Thrift
/// message starts with a byte that names its protocol: 0x80 for binary (the high byte of the strict version word
/// 0x8001), 0x82 for compact (its protocol id), '[' for JSON (the array that holds the message). A frame starts with
/// its length instead, whose high byte is far below those for any frame under 1.5 GB; so the first byte tells
/// framed from buffered, and the byte after the 4-byte length tells the protocol of a framed message.
/// </summary>
internal static class WireFormat
{
    private const byte BinaryFirstByte = 0x80;
    private const byte CompactFirstByte = 0x82;
    private const byte JsonFirstByte = (byte)'[';
    private const int FrameHeaderSize = 4;

    /// <summary>The configured kinds with each <c>auto</c> replaced by what the connection's first bytes show.</summary>
    /// <exception cref="TProtocolException">The bytes are no message of any protocol Tunicorn serves.</exception>
    /// <exception cref="TTransportException">The peer closed the connection within the first bytes.</exception>
    public static async ValueTask<(ThriftProtocolKind Protocol, ThriftTransportKind Transport)> DetectAsync(
        SocketTransport endpoint, ThriftProtocolKind protocol, ThriftTransportKind transport, CancellationToken cancellationToken)
    {
        if (protocol != ThriftProtocolKind.Auto && transport != ThriftTransportKind.Auto)
            return (protocol, transport);

        ReadOnlyMemory<byte> first = await endpoint.PeekAsync(1, cancellationToken);
        if (first.IsEmpty)
            throw Closed(0);

        if (transport == ThriftTransportKind.Auto)
        {
            ThriftProtocolKind? unframed = ProtocolOf(first.Span[0]);
            // A fixed protocol whose first byte is not here is framed; and so is any byte no protocol starts with.
            transport = unframed is { } found && (protocol == ThriftProtocolKind.Auto || protocol == found)
                ? ThriftTransportKind.Buffered
                : ThriftTransportKind.Framed;
        }
        if (protocol != ThriftProtocolKind.Auto)
            return (protocol, transport);

        int at = transport == ThriftTransportKind.Framed ? FrameHeaderSize : 0;
        ReadOnlyMemory<byte> head = await endpoint.PeekAsync(at + 1, cancellationToken);
        if (head.Length < at + 1)
            throw Closed(head.Length);
        return ProtocolOf(head.Span[at]) is { } detected
            ? (detected, transport)
            : throw new TProtocolException(TProtocolException.INVALID_DATA,
                $"the first bytes {Hex(head.Span)} are no Thrift message: binary starts with 0x80, compact with 0x82, JSON with '['" +
                (transport == ThriftTransportKind.Framed ? ", after a 4-byte frame length" : ""));
    }

    public static ThriftProtocolKind? ProtocolOf(byte first) => first switch
    {
        BinaryFirstByte => ThriftProtocolKind.Binary,
        CompactFirstByte => ThriftProtocolKind.Compact,
        JsonFirstByte => ThriftProtocolKind.Json,
        _ => null,
    };

    private static TTransportException Closed(int received) => new(TTransportException.ExceptionType.EndOfFile,
        $"the peer closed the connection after {received} bytes, before a whole message header");

    private static string Hex(ReadOnlySpan<byte> bytes) => string.Join(' ', bytes.ToArray().Select(b => $"0x{b:x2}"));
}
