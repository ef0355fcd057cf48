using System.Net;
using Tunicorn.Thrift.ProxyProtocol;

namespace Tunicorn.Tests.Thrift.ProxyProtocol;

public sealed class ProxyHeaderParserTests
{
    private const byte Inet4Stream = 0x11;
    private const byte Inet6Stream = 0x21;

    [Fact]
    public void Version1Tcp4_NamesTheSourceAndDestination()
    {
        byte[] bytes = ProxyHeaderBytes.Version1("PROXY TCP4 192.0.2.10 198.51.100.1 56324 9090\r\n");
        ProxyHeader header = ParseWhole(bytes);
        Assert.Equal(1, header.Version);
        Assert.Equal(bytes.Length, header.Length);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 56324), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 9090), header.Destination);
    }

    [Fact]
    public void Version1Tcp6_NamesTheSource()
    {
        ProxyHeader header = ParseWhole(ProxyHeaderBytes.Version1("PROXY TCP6 2001:db8::7 2001:db8::1 65535 0\r\n"));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 65535), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 0), header.Destination);
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n")]
    public void Version1Unknown_NamesNoClient(string line)
    {
        ProxyHeader header = ParseWhole(ProxyHeaderBytes.Version1(line));
        Assert.Null(header.Source);
        Assert.Null(header.Destination);
    }

    [Fact]
    public void Version1_LongestHeaderOfTheSpec_IsAccepted()
    {
        // The spec's worst case: TCP6, both addresses at full length, 5-digit ports: 104 bytes, under its 107.
        string address = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        byte[] bytes = ProxyHeaderBytes.Version1($"PROXY TCP6 {address} {address} 65535 65535\r\n");
        Assert.Equal(104, bytes.Length);
        Assert.Equal(65535, ParseWhole(bytes).Source!.Port);
    }

    [Theory]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.1 56324\r\n", "fields after the protocol")]
    [InlineData("PROXY TCP4  192.0.2.10 198.51.100.1 56324 9090\r\n", "fields after the protocol")]
    [InlineData("PROXY TCP4 2001:db8::7 198.51.100.1 56324 9090\r\n", "source address '2001:db8::7', not an IPv4")]
    [InlineData("PROXY TCP6 192.0.2.10 2001:db8::1 1 2\r\n", "source address '192.0.2.10', not an IPv6")]
    [InlineData("PROXY TCP4 0x7f.1 198.51.100.1 1 2\r\n", "source address '0x7f.1'")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", "source port '65536'")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 -2\r\n", "destination port '-2'")]
    [InlineData("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", "protocol 'UDP4'")]
    public void Version1_Malformed_IsRefusedWithTheReason(string line, string reason)
    {
        var error = Assert.Throws<ProxyHeaderException>(() => ParseWhole(System.Text.Encoding.ASCII.GetBytes(line)));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Version1_NonAsciiByte_IsRefused()
    {
        byte[] bytes = [.. ProxyHeaderBytes.Version1("PROXY TCP4 1.2.3.4 5.6.7.8 1 2"), 0xFF, (byte)'\r', (byte)'\n'];
        var error = Assert.Throws<ProxyHeaderException>(() => ParseWhole(bytes));
        Assert.Contains("byte 0xff", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "does not end in CRLF")]
    [InlineData("PROXY TCP4 1.2.\r3.4 5.6.7.8 1 2\r\n", "CR")]
    [InlineData("PROXY\tTCP4", "neither 'PROXY '")]
    [InlineData("GET / HTTP/1.1\r\n", "neither 'PROXY ' (version 1) nor the version 2 signature but with \"GET / HTTP/1.1\\x0d\\x0a\"")]
    public void Scan_FirstBytesThatStartNoHeader_AreInvalidAtOnce(string start, string reason)
    {
        ProxyHeaderScan scan = ProxyHeaderParser.Scan(ProxyHeaderBytes.Version1(start));
        Assert.True(scan.IsInvalid);
        Assert.Contains(reason, scan.InvalidReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_ThriftBinaryCall_IsInvalid_WithItsBytesEscaped()
    {
        // A client that talks to the server directly: strict binary protocol, version 1, call.
        ProxyHeaderScan scan = ProxyHeaderParser.Scan([0x80, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, (byte)'a', (byte)'d', (byte)'d']);
        Assert.Contains("\"\\x80\\x01\\x00\\x01\\x00\\x00\\x00\\x03add\"", scan.InvalidReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_Version1WithoutCrlfIn107Bytes_IsOversized()
    {
        byte[] bytes = ProxyHeaderBytes.Version1("PROXY TCP4 " + new string('1', 200));
        Assert.True(ProxyHeaderParser.Scan(bytes.AsSpan(0, 106)).NeedsMore);
        Assert.Contains("without CRLF in its first 107 bytes", ProxyHeaderParser.Scan(bytes.AsSpan(0, 107)).InvalidReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_TellsTheLengthWithoutCountingTheBytesBehindTheHeader()
    {
        byte[] header = ProxyHeaderBytes.Version1("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n");
        byte[] withCall = [.. header, 0x80, 0x01, 0x00, 0x01];
        Assert.Equal(header.Length, ProxyHeaderParser.Scan(withCall).Length);

        byte[] v2 = ProxyHeaderBytes.Version2(1, Inet4Stream, ProxyHeaderBytes.Inet4("10.1.2.3", 1000, "10.0.0.1", 9090));
        Assert.Equal(v2.Length, ProxyHeaderParser.Scan([.. v2, (byte)'P', (byte)'O']).Length);
    }

    [Fact]
    public void Scan_EveryProperPrefix_NeedsMore()
    {
        byte[] v1 = ProxyHeaderBytes.Version1("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n");
        byte[] v2 = ProxyHeaderBytes.Version2(1, Inet6Stream, ProxyHeaderBytes.Inet6("2001:db8::7", 1, "2001:db8::1", 2));
        for (int length = 0; length < v1.Length; length++)
            Assert.True(ProxyHeaderParser.Scan(v1.AsSpan(0, length)).NeedsMore, $"v1 prefix of {length}");
        for (int length = 0; length < 16; length++)
            Assert.True(ProxyHeaderParser.Scan(v2.AsSpan(0, length)).NeedsMore, $"v2 prefix of {length}");
        // From 16 bytes on the length field tells where the header ends.
        Assert.Equal(v2.Length, ProxyHeaderParser.Scan(v2.AsSpan(0, 16)).Length);
    }

    [Fact]
    public void Version2ProxyInet4_NamesTheSourceAndDestination()
    {
        byte[] bytes = ProxyHeaderBytes.Version2(1, Inet4Stream, ProxyHeaderBytes.Inet4("203.0.113.9", 40001, "10.0.0.1", 9090));
        ProxyHeader header = ParseWhole(bytes);
        Assert.Equal(2, header.Version);
        Assert.Equal(16 + 12, header.Length);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 40001), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 9090), header.Destination);
    }

    [Fact]
    public void Version2ProxyInet6_NamesTheSource()
    {
        byte[] bytes = ProxyHeaderBytes.Version2(1, Inet6Stream, ProxyHeaderBytes.Inet6("2001:db8::42", 443, "2001:db8::1", 9090));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::42"), 443), ParseWhole(bytes).Source);
    }

    [Fact]
    public void Version2_TlvsAreSkipped()
    {
        byte[] bytes = ProxyHeaderBytes.Version2(1, Inet4Stream, ProxyHeaderBytes.Inet4("203.0.113.9", 40001, "10.0.0.1", 9090),
            (0x01, "h2"u8.ToArray()),                     // PP2_TYPE_ALPN
            (0x05, new byte[128]),                        // PP2_TYPE_UNIQUE_ID
            (0x04, [0x12, 0x34, 0x56, 0x78]),             // PP2_TYPE_CRC32C (not checked)
            (0x20, [0x05, 0, 0, 0, 0, 0x21, 0, 7, (byte)'T', (byte)'L', (byte)'S', (byte)'v', (byte)'1', (byte)'.', (byte)'3']), // PP2_TYPE_SSL
            (0xE0, []));                                  // a custom type, empty
        ProxyHeader header = ParseWhole(bytes);
        Assert.Equal(bytes.Length, header.Length);
        Assert.Equal(40001, header.Source!.Port);
    }

    [Fact]
    public void Version2Local_NamesNoClient_WhateverItsAddresses()
    {
        byte[] bytes = ProxyHeaderBytes.Version2(0, Inet4Stream, ProxyHeaderBytes.Inet4("203.0.113.9", 40001, "10.0.0.1", 9090));
        Assert.Null(ParseWhole(bytes).Source);
        Assert.Null(ParseWhole(ProxyHeaderBytes.Version2(0, 0x00, [])).Source);
    }

    [Theory]
    [InlineData((byte)0x00)] // AF_UNSPEC
    [InlineData((byte)0x31)] // AF_UNIX stream: paths are no peer address
    public void Version2Proxy_WithoutAnIpFamily_NamesNoClient(byte familyAndTransport)
    {
        byte[] addresses = familyAndTransport == 0x31 ? new byte[216] : [];
        Assert.Null(ParseWhole(ProxyHeaderBytes.Version2(1, familyAndTransport, addresses)).Source);
    }

    [Fact]
    public void Version2_TruncatedAddresses_AreRefused()
    {
        byte[] bytes = ProxyHeaderBytes.Version2(1, Inet6Stream, ProxyHeaderBytes.Inet4("203.0.113.9", 1, "10.0.0.1", 2));
        var error = Assert.Throws<ProxyHeaderException>(() => ParseWhole(bytes));
        Assert.Contains("too short for the 36-byte addresses", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Version2_TlvPastTheEnd_IsRefused()
    {
        byte[] addresses = ProxyHeaderBytes.Inet4("203.0.113.9", 1, "10.0.0.1", 2);
        // A TLV that claims 200 bytes and brings 2.
        byte[] bytes = ProxyHeaderBytes.Version2(1, Inet4Stream, [.. addresses, 0x01, 0x00, 0xC8, 0x68, 0x32]);
        var error = Assert.Throws<ProxyHeaderException>(() => ParseWhole(bytes));
        Assert.Contains("TLV of type 0x01 and 200 bytes, past the end", error.Message, StringComparison.Ordinal);

        byte[] stub = ProxyHeaderBytes.Version2(1, Inet4Stream, [.. addresses, 0x01, 0x00]);
        Assert.Contains("truncated TLV", Assert.Throws<ProxyHeaderException>(() => ParseWhole(stub)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x22, 0x11, "command 2 (0 LOCAL or 1 PROXY)")]
    [InlineData(0x21, 0x41, "address family 4")]
    [InlineData(0x21, 0x13, "transport 3")]
    public void Version2_UnknownCommandFamilyOrTransport_IsRefused(byte versionCommand, byte family, string reason)
    {
        byte[] bytes = ProxyHeaderBytes.Version2(1, family, ProxyHeaderBytes.Inet4("1.2.3.4", 1, "5.6.7.8", 2));
        bytes[12] = versionCommand;
        var error = Assert.Throws<ProxyHeaderException>(() => ParseWhole(bytes));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Version2_WrongVersionNibble_IsInvalidInTheScan()
    {
        byte[] bytes = ProxyHeaderBytes.Version2(1, Inet4Stream, ProxyHeaderBytes.Inet4("1.2.3.4", 1, "5.6.7.8", 2));
        bytes[12] = 0x11;
        Assert.Contains("version 1 (only 2 exists)", ProxyHeaderParser.Scan(bytes).InvalidReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Version2_Oversized_IsInvalidFromItsLengthField()
    {
        // Known from the first 16 bytes: nothing of the rest needs to be received.
        byte[] start = [.. ProxyHeaderParser.Version2Signature, 0x21, 0x11, 0xFF, 0xFF];
        Assert.Contains($"of {16 + 65535} bytes, over the limit of {ProxyHeader.MaxVersion2Length}",
            ProxyHeaderParser.Scan(start).InvalidReason, StringComparison.Ordinal);
        byte[] limit = [.. ProxyHeaderParser.Version2Signature, 0x21, 0x11, 0x0F, 0xF0];
        Assert.Equal(ProxyHeader.MaxVersion2Length, ProxyHeaderParser.Scan(limit).Length);
    }

    [Fact]
    public void Version2_BrokenSignature_IsInvalid()
    {
        byte[] bytes = ProxyHeaderBytes.Version2(1, Inet4Stream, ProxyHeaderBytes.Inet4("1.2.3.4", 1, "5.6.7.8", 2));
        bytes[7] = (byte)'q';
        Assert.True(ProxyHeaderParser.Scan(bytes).IsInvalid);
        Assert.True(ProxyHeaderParser.Scan(bytes.AsSpan(0, 8)).IsInvalid);
    }

    [Fact]
    public void Parse_Truncated_IsRefused()
    {
        byte[] bytes = ProxyHeaderBytes.Version2(1, Inet4Stream, ProxyHeaderBytes.Inet4("1.2.3.4", 1, "5.6.7.8", 2));
        Assert.Throws<ProxyHeaderException>(() => ProxyHeaderParser.Parse(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Throws<ProxyHeaderException>(() => ProxyHeaderParser.Parse(ProxyHeaderBytes.Version1("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r")));
    }

    [Fact]
    public void Garbage_NeverThrowsAnythingButProxyHeaderException()
    {
        var random = new Random(1011);
        for (int i = 0; i < 20000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 120)];
            random.NextBytes(bytes);
            // Start most of them like a header, so that the parser gets past the first byte.
            if (bytes.Length > 16 && i % 3 == 0)
            {
                ProxyHeaderParser.Version2Signature.CopyTo(bytes);
                bytes[14] = 0;
                bytes[15] = (byte)(bytes.Length - 16);
            }
            else if (bytes.Length > 6 && i % 3 == 1)
                "PROXY "u8.CopyTo(bytes);
            ProxyHeaderScan scan = ProxyHeaderParser.Scan(bytes);
            if (scan.NeedsMore || scan.IsInvalid || scan.Length > bytes.Length)
                continue;
            try
            {
                ProxyHeaderParser.Parse(bytes.AsSpan(0, scan.Length));
            }
            catch (ProxyHeaderException)
            {
            }
        }
    }

    private static ProxyHeader ParseWhole(byte[] bytes)
    {
        ProxyHeaderScan scan = ProxyHeaderParser.Scan(bytes);
        if (!scan.IsInvalid)
            Assert.Equal(bytes.Length, scan.Length);
        return ProxyHeaderParser.Parse(bytes);
    }
}
