using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tunicorn.Thrift.ProxyProtocol;

/// <summary>
/// Reads HAProxy's PROXY protocol headers, version 1 (a text line) and version 2 (binary), as the spec
/// (haproxy.org/download/2.6/doc/proxy-protocol.txt) defines them. Pure functions over bytes: <see cref="Scan"/> tells
/// a receiver where a header ends without reading past it, <see cref="Parse"/> reads one whole header.
/// </summary>
/// <remarks>
/// Strict where the spec is: one space between v1 fields, addresses in their plain textual forms, ports in decimal,
/// the v2 version nibble 2 and commands LOCAL or PROXY, TLVs that end where the header ends. A header that breaks a
/// rule closes the connection (the spec: a receiver must not guess). TLVs are checked for size and skipped.
/// </remarks>
internal static class ProxyHeaderParser
{
    private static ReadOnlySpan<byte> Version1Prefix => "PROXY "u8;

    /// <summary>The 12 bytes every version 2 header starts with: CR LF CR LF NUL CR LF "QUIT" LF.</summary>
    public static ReadOnlySpan<byte> Version2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    // Address block sizes of the version 2 families (the spec's struct sizes).
    private const int Inet4AddressBlock = 12;
    private const int Inet6AddressBlock = 36;
    private const int UnixAddressBlock = 216;

    /// <summary>How many of <paramref name="received"/>, the first bytes of a connection, make its PROXY header.</summary>
    public static ProxyHeaderScan Scan(ReadOnlySpan<byte> received)
    {
        if (received.IsEmpty)
            return ProxyHeaderScan.Incomplete;
        if (received[0] == Version1Prefix[0])
            return ScanVersion1(received);
        if (received[0] == Version2Signature[0])
            return ScanVersion2(received);
        return ProxyHeaderScan.Invalid(NoHeader(received));
    }

    /// <summary>Reads one whole header, exactly the bytes <see cref="Scan"/> measured.</summary>
    /// <exception cref="ProxyHeaderException">The header breaks the spec; the message says how.</exception>
    public static ProxyHeader Parse(ReadOnlySpan<byte> header)
    {
        ProxyHeaderScan scan = Scan(header);
        if (scan.InvalidReason is { } reason)
            throw new ProxyHeaderException(reason);
        if (scan.NeedsMore || scan.Length != header.Length)
            throw new ProxyHeaderException($"a header of {(scan.NeedsMore ? "unknown" : scan.Length.ToString(CultureInfo.InvariantCulture))} bytes was given {header.Length} bytes");
        return header[0] == Version1Prefix[0] ? ParseVersion1(header) : ParseVersion2(header);
    }

    private static ProxyHeaderScan ScanVersion1(ReadOnlySpan<byte> received)
    {
        int prefix = Math.Min(received.Length, Version1Prefix.Length);
        if (!received[..prefix].SequenceEqual(Version1Prefix[..prefix]))
            return ProxyHeaderScan.Invalid(NoHeader(received));
        int lineFeed = received[..Math.Min(received.Length, ProxyHeader.MaxVersion1Length)].IndexOf((byte)'\n');
        if (lineFeed < 0)
        {
            if (received.Length >= ProxyHeader.MaxVersion1Length)
                return ProxyHeaderScan.Invalid($"version 1 header without CRLF in its first {ProxyHeader.MaxVersion1Length} bytes (the spec's maximum)");
            int stray = received.IndexOf((byte)'\r');
            return stray >= 0 && stray < received.Length - 1
                ? ProxyHeaderScan.Invalid("version 1 header with a CR inside the line")
                : ProxyHeaderScan.Incomplete;
        }
        if (lineFeed == 0 || received[lineFeed - 1] != '\r' || received[..(lineFeed - 1)].Contains((byte)'\r'))
            return ProxyHeaderScan.Invalid("version 1 header whose line does not end in CRLF");
        return ProxyHeaderScan.Complete(lineFeed + 1);
    }

    private static ProxyHeaderScan ScanVersion2(ReadOnlySpan<byte> received)
    {
        int prefix = Math.Min(received.Length, Version2Signature.Length);
        if (!received[..prefix].SequenceEqual(Version2Signature[..prefix]))
            return ProxyHeaderScan.Invalid(NoHeader(received));
        if (received.Length < ProxyHeader.Version2FixedLength)
            return ProxyHeaderScan.Incomplete;
        int version = received[12] >> 4;
        if (version != 2)
            return ProxyHeaderScan.Invalid($"version 2 signature with version {version} (only 2 exists)");
        int length = ProxyHeader.Version2FixedLength + BinaryPrimitives.ReadUInt16BigEndian(received[14..]);
        if (length > ProxyHeader.MaxVersion2Length)
            return ProxyHeaderScan.Invalid($"version 2 header of {length} bytes, over the limit of {ProxyHeader.MaxVersion2Length}");
        return ProxyHeaderScan.Complete(length);
    }

    private static ProxyHeader ParseVersion1(ReadOnlySpan<byte> header)
    {
        ReadOnlySpan<byte> line = header[..^2];
        foreach (byte b in line)
        {
            if (b is < 0x20 or > 0x7E)
                throw new ProxyHeaderException($"version 1 header with the byte 0x{b:x2} (only printable ASCII is allowed)");
        }
        string[] fields = Encoding.ASCII.GetString(line).Split(' ');
        string protocol = fields[1];
        if (protocol == "UNKNOWN")
            // The spec: whatever follows UNKNOWN is ignored, and the receiver uses the connection's own endpoints.
            return new ProxyHeader(1, header.Length, null, null);
        if (protocol is not ("TCP4" or "TCP6"))
            throw new ProxyHeaderException($"version 1 header with the protocol '{LogText.Printable(protocol)}' (TCP4, TCP6 or UNKNOWN)");
        if (fields.Length != 6)
            throw new ProxyHeaderException($"version 1 {protocol} header with {fields.Length - 2} fields after the protocol, not 4 (source, destination, source port, destination port, one space apart)");
        AddressFamily family = protocol == "TCP4" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        IPAddress source = Version1Address(fields[2], family, "source");
        IPAddress destination = Version1Address(fields[3], family, "destination");
        int sourcePort = Version1Port(fields[4], "source");
        int destinationPort = Version1Port(fields[5], "destination");
        return new ProxyHeader(1, header.Length, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort));
    }

    private static IPAddress Version1Address(string text, AddressFamily family, string which)
    {
        // IPAddress.TryParse also takes "1", "0x7f.1" and scoped IPv6: not what the spec allows.
        bool plain = family == AddressFamily.InterNetwork
            ? text.Count(c => c == '.') == 3 && text.All(c => char.IsAsciiDigit(c) || c == '.')
            : text.Contains(':') && text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.');
        if (!plain || !IPAddress.TryParse(text, out IPAddress? address) || address.AddressFamily != family)
            throw new ProxyHeaderException($"version 1 header with the {which} address '{LogText.Printable(text)}', not {(family == AddressFamily.InterNetwork ? "an IPv4" : "an IPv6")} address");
        return address;
    }

    private static int Version1Port(string text, string which)
    {
        if (text.Length is 0 or > 5 || !text.All(char.IsAsciiDigit) || int.Parse(text, CultureInfo.InvariantCulture) is var port && port > 65535)
            throw new ProxyHeaderException($"version 1 header with the {which} port '{LogText.Printable(text)}', not a number from 0 to 65535");
        return port;
    }

    private static ProxyHeader ParseVersion2(ReadOnlySpan<byte> header)
    {
        int command = header[12] & 0x0F;
        int family = header[13] >> 4;
        int transport = header[13] & 0x0F;
        ReadOnlySpan<byte> payload = header[ProxyHeader.Version2FixedLength..];
        if (command is not (0 or 1))
            throw new ProxyHeaderException($"version 2 header with the command {command} (0 LOCAL or 1 PROXY)");
        if (command == 0)
            // LOCAL: the proxy speaks for itself (a health check); the spec says to ignore the addresses.
            return new ProxyHeader(2, header.Length, null, null);
        if (transport > 2)
            throw new ProxyHeaderException($"version 2 header with the transport {transport} (0 UNSPEC, 1 STREAM or 2 DGRAM)");

        int addressBlock = family switch
        {
            0 => 0,
            1 => Inet4AddressBlock,
            2 => Inet6AddressBlock,
            3 => UnixAddressBlock,
            _ => throw new ProxyHeaderException($"version 2 header with the address family {family} (0 UNSPEC, 1 INET, 2 INET6 or 3 UNIX)"),
        };
        if (payload.Length < addressBlock)
            throw new ProxyHeaderException($"version 2 header of {payload.Length} bytes after its fixed part, too short for the {addressBlock}-byte addresses of family {family}");
        if (family != 0)
            CheckTlvs(payload[addressBlock..]);

        // UNSPEC and UNIX carry no address the server could use as a peer: keep the connection's own.
        return family switch
        {
            1 => new ProxyHeader(2, header.Length,
                new IPEndPoint(new IPAddress(payload[..4]), BinaryPrimitives.ReadUInt16BigEndian(payload[8..])),
                new IPEndPoint(new IPAddress(payload[4..8]), BinaryPrimitives.ReadUInt16BigEndian(payload[10..]))),
            2 => new ProxyHeader(2, header.Length,
                new IPEndPoint(new IPAddress(payload[..16]), BinaryPrimitives.ReadUInt16BigEndian(payload[32..])),
                new IPEndPoint(new IPAddress(payload[16..32]), BinaryPrimitives.ReadUInt16BigEndian(payload[34..]))),
            _ => new ProxyHeader(2, header.Length, null, null),
        };
    }

    /// <summary>Type-length-value entries after the addresses: skipped, but each must end inside the header.</summary>
    private static void CheckTlvs(ReadOnlySpan<byte> tlvs)
    {
        while (!tlvs.IsEmpty)
        {
            if (tlvs.Length < 3)
                throw new ProxyHeaderException($"version 2 header ending in a truncated TLV ({tlvs.Length} bytes, 3 needed for type and length)");
            int length = BinaryPrimitives.ReadUInt16BigEndian(tlvs[1..]);
            if (3 + length > tlvs.Length)
                throw new ProxyHeaderException($"version 2 header with a TLV of type 0x{tlvs[0]:x2} and {length} bytes, past the end of the header ({tlvs.Length - 3} left)");
            tlvs = tlvs[(3 + length)..];
        }
    }

    /// <summary>Why the bytes start no header, with the first of them escaped, so the log shows what came instead.</summary>
    private static string NoHeader(ReadOnlySpan<byte> received) =>
        $"the connection starts with neither 'PROXY ' (version 1) nor the version 2 signature but with \"{Preview(received)}\"";

    /// <summary>Up to 16 bytes as text: printable ASCII as is, every other byte (and '\' and '"') as \xNN.</summary>
    internal static string Preview(ReadOnlySpan<byte> bytes)
    {
        const int Shown = 16;
        var text = new StringBuilder();
        foreach (byte b in bytes[..Math.Min(bytes.Length, Shown)])
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'\\' and not (byte)'"')
                text.Append((char)b);
            else
                text.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
        }
        if (bytes.Length > Shown)
            text.Append('…');
        return text.ToString();
    }
}
