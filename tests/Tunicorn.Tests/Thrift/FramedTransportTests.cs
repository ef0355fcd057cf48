using Thrift;
using Thrift.Protocol;
using Thrift.Protocol.Entities;
using Thrift.Transport;
using Tunicorn.IO;
using Tunicorn.Thrift;

namespace Tunicorn.Tests.Thrift;

/// <summary>
/// The framed transport reads a frame's header inline when it is buffered with the message, and awaits it when it is
/// not (split across packets); both read the same messages.
/// </summary>
public sealed class FramedTransportTests
{
    // A ping call (binary, strict): version, name "ping", seqid 7, then the empty args struct's stop field.
    private const string PingCall = "80010001 00000004 70696E67 00000007 00";

    [Fact]
    public async Task TwoPipelinedFramesInOnePacket_AreReadOneAfterTheOther()
    {
        using var pair = await SocketPair.CreateAsync();
        await pair.Client.SendAsync(Hex(Frame(PingCall) + Frame(PingCall.Replace("00000007", "00000008"))));
        using var endpoint = Endpoint(pair);
        var protocol = new InlineBinaryProtocol(new FramedTransport(endpoint));
        await endpoint.WaitForDataAsync(CancellationToken.None);

        Assert.Equal(7, await ReadPingAsync(protocol));
        Assert.True(endpoint.BufferedByteCount > 0, "the second frame should be buffered already");
        Assert.Equal(8, await ReadPingAsync(protocol));
    }

    [Fact]
    public async Task FrameHeaderSplitAcrossPackets_IsAwaited_ThenTheMessageRead()
    {
        using var pair = await SocketPair.CreateAsync();
        byte[] frame = Hex(Frame(PingCall));
        await pair.Client.SendAsync(frame.AsMemory(0, 2));
        using var endpoint = Endpoint(pair);
        var protocol = new InlineBinaryProtocol(new FramedTransport(endpoint));
        await endpoint.WaitForDataAsync(CancellationToken.None);

        ValueTask<TMessage> reading = protocol.ReadMessageBeginAsync(CancellationToken.None);
        Assert.False(reading.IsCompleted, "two bytes of the header cannot start the frame");
        await pair.Client.SendAsync(frame.AsMemory(2));
        TMessage message = await reading;

        Assert.Equal(("ping", 7), (message.Name, message.SeqID));
        Assert.Equal(TType.Stop, (await protocol.ReadFieldBeginAsync(CancellationToken.None)).Type);
    }

    [Fact]
    public async Task EmptyFrameBeforeAMessage_IsSkipped()
    {
        using var pair = await SocketPair.CreateAsync();
        await pair.Client.SendAsync(Hex("00000000" + Frame(PingCall)));
        using var endpoint = Endpoint(pair);
        var protocol = new InlineBinaryProtocol(new FramedTransport(endpoint));
        await endpoint.WaitForDataAsync(CancellationToken.None);

        Assert.Equal(7, await ReadPingAsync(protocol));
    }

    [Theory]
    [InlineData("80010001", "frame size -2147418111 is negative: is the client using the framed transport?")]
    [InlineData("7FFFFFFF", "frame of 2147483647 bytes exceeds the max frame size")]
    public async Task BadFrameSize_IsRefused_WithWhatItWas(string header, string message)
    {
        using var pair = await SocketPair.CreateAsync();
        await pair.Client.SendAsync(Hex(header + "00000000"));
        using var endpoint = Endpoint(pair);
        var protocol = new InlineBinaryProtocol(new FramedTransport(endpoint));
        await endpoint.WaitForDataAsync(CancellationToken.None);

        var e = await Assert.ThrowsAnyAsync<TException>(async () => await protocol.ReadMessageBeginAsync(CancellationToken.None));
        Assert.StartsWith(message, e.Message);
    }

    private static async Task<int> ReadPingAsync(TProtocol protocol)
    {
        TMessage message = await protocol.ReadMessageBeginAsync(CancellationToken.None);
        Assert.Equal("ping", message.Name);
        Assert.Equal(TType.Stop, (await protocol.ReadFieldBeginAsync(CancellationToken.None)).Type);
        await protocol.ReadMessageEndAsync(CancellationToken.None);
        return message.SeqID;
    }

    private static SocketTransport Endpoint(SocketPair pair) =>
        new(new DotNetSocketEngine(pair.Server), new TConfiguration(), TimeSpan.FromSeconds(10), CancellationToken.None);

    private static string Frame(string message)
    {
        string body = message.Replace(" ", "", StringComparison.Ordinal);
        return (body.Length / 2).ToString("X8") + body;
    }

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
