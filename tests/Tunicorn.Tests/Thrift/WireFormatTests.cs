using Thrift;
using Thrift.Protocol;
using Thrift.Transport;
using Tunicorn.Config;
using Tunicorn.IO;
using Tunicorn.Thrift;

namespace Tunicorn.Tests.Thrift;

public sealed class WireFormatTests
{
    [Theory]
    [InlineData("80 01 00 01", ThriftProtocolKind.Binary, ThriftTransportKind.Buffered)]
    [InlineData("82 21 01 08", ThriftProtocolKind.Compact, ThriftTransportKind.Buffered)]
    [InlineData("5b 31 2c 22", ThriftProtocolKind.Json, ThriftTransportKind.Buffered)]
    [InlineData("00 00 00 1c 80 01", ThriftProtocolKind.Binary, ThriftTransportKind.Framed)]
    [InlineData("00 00 00 1c 82 21", ThriftProtocolKind.Compact, ThriftTransportKind.Framed)]
    [InlineData("00 00 01 00 5b 31", ThriftProtocolKind.Json, ThriftTransportKind.Framed)]
    public async Task Detect_BothAuto_TellsProtocolAndTransportFromTheFirstBytes(string hex, ThriftProtocolKind protocol, ThriftTransportKind transport)
    {
        Assert.Equal((protocol, transport), await DetectAsync(hex, ThriftProtocolKind.Auto, ThriftTransportKind.Auto));
    }

    [Fact]
    public async Task Detect_FixedProtocolAutoTransport_AFirstByteOfAnotherProtocolMeansFramed()
    {
        // A frame length whose high byte happens to be 0x82 (compact's first byte) is still no binary message.
        Assert.Equal((ThriftProtocolKind.Binary, ThriftTransportKind.Framed),
            await DetectAsync("82 00 00 00", ThriftProtocolKind.Binary, ThriftTransportKind.Auto));
        Assert.Equal((ThriftProtocolKind.Binary, ThriftTransportKind.Buffered),
            await DetectAsync("80 01 00 01", ThriftProtocolKind.Binary, ThriftTransportKind.Auto));
    }

    [Fact]
    public async Task Detect_AutoProtocolFixedTransport_ReadsThePastTheFrameLengthOnlyWhenFramed()
    {
        Assert.Equal((ThriftProtocolKind.Compact, ThriftTransportKind.Framed),
            await DetectAsync("00 00 00 10 82 21", ThriftProtocolKind.Auto, ThriftTransportKind.Framed));
        Assert.Equal((ThriftProtocolKind.Json, ThriftTransportKind.Buffered),
            await DetectAsync("5b 31", ThriftProtocolKind.Auto, ThriftTransportKind.Buffered));
    }

    [Theory]
    [InlineData("47 45 54 20 2f 20")] // an HTTP request
    [InlineData("00 00 00 10 16 03")] // a frame holding a TLS record
    public async Task Detect_NoThriftProtocol_IsInvalidData(string hex)
    {
        var error = await Assert.ThrowsAsync<TProtocolException>(() => DetectAsync(hex, ThriftProtocolKind.Auto, ThriftTransportKind.Auto));
        Assert.Equal(TProtocolException.INVALID_DATA, error.GetExceptionType());
        Assert.Contains("are no Thrift message", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detect_PeerClosesWithinTheFrameLength_IsEndOfFile()
    {
        var error = await Assert.ThrowsAsync<TTransportException>(() => DetectAsync("00 00", ThriftProtocolKind.Auto, ThriftTransportKind.Auto, close: true));
        Assert.Equal(TTransportException.ExceptionType.EndOfFile, error.Type);
    }

    [Fact]
    public async Task Detect_ConsumesNothing_TheProtocolReadsTheWholeMessage()
    {
        using var pair = await SocketPair.CreateAsync();
        await pair.Client.SendAsync(Convert.FromHexString("8001000100000004706F6E6700000007"));
        using var endpoint = new SocketTransport(new DotNetSocketEngine(pair.Server), new TConfiguration(), null, CancellationToken.None);
        var (protocol, transport) = await WireFormat.DetectAsync(endpoint, ThriftProtocolKind.Auto, ThriftTransportKind.Auto, CancellationToken.None);

        var message = await new TBinaryProtocol(endpoint, strictRead: true, strictWrite: true).ReadMessageBeginAsync(CancellationToken.None);
        Assert.Equal((ThriftProtocolKind.Binary, ThriftTransportKind.Buffered), (protocol, transport));
        Assert.Equal(("pong", 7), (message.Name, message.SeqID));
    }

    private static async Task<(ThriftProtocolKind, ThriftTransportKind)> DetectAsync(string hex, ThriftProtocolKind protocol,
        ThriftTransportKind transport, bool close = false)
    {
        using var pair = await SocketPair.CreateAsync();
        await pair.Client.SendAsync(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal)));
        if (close)
            pair.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        using var endpoint = new SocketTransport(new DotNetSocketEngine(pair.Server), new TConfiguration(), TimeSpan.FromSeconds(10), CancellationToken.None);
        return await WireFormat.DetectAsync(endpoint, protocol, transport, CancellationToken.None);
    }
}
