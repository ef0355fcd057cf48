using Microsoft.Extensions.Logging.Abstractions;
using Tunicorn.IO;
using Tunicorn.Tests.Thrift;
using Tunicorn.Thrift.ProxyProtocol;

namespace Tunicorn.Tests.Thrift.ProxyProtocol;

/// <summary>The header comes off a real socket, and the bytes behind it stay there for the connection.</summary>
public sealed class ProxyHeaderReceiverTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HeaderAndCallInOneSegment_TakesTheHeaderOnly(bool readinessLoop)
    {
        using var pair = await SocketPair.CreateAsync();
        byte[] header = ProxyHeaderBytes.Version1("PROXY TCP4 192.0.2.10 198.51.100.1 56324 9090\r\n");
        byte[] call = [0x80, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, (byte)'a', (byte)'d', (byte)'d'];
        await pair.Client.SendAsync((byte[])[.. header, .. call]);

        ProxyHeader received = await ReceiveAsync(pair, readinessLoop);

        Assert.Equal(56324, received.Source!.Port);
        Assert.Equal(call, await ReadAvailableAsync(pair, call.Length));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HeaderInPieces_IsAssembled(bool readinessLoop)
    {
        using var pair = await SocketPair.CreateAsync();
        pair.Client.NoDelay = true;
        byte[] header = ProxyHeaderBytes.Version2(1, 0x21, ProxyHeaderBytes.Inet6("2001:db8::42", 443, "2001:db8::1", 9090),
            (0x05, new byte[300]));
        Task<ProxyHeader> receiving = ReceiveAsync(pair, readinessLoop);
        // Cut inside the signature, inside the length field, in the addresses and in the TLV.
        int[] cuts = [5, 15, 30, 100, header.Length];
        int sent = 0;
        foreach (int cut in cuts)
        {
            await pair.Client.SendAsync(header.AsMemory(sent, cut - sent));
            sent = cut;
            await Task.Delay(20);
        }
        await pair.Client.SendAsync(new byte[] { 0x82, 0x21 });

        ProxyHeader received = await receiving.WaitAsync(Deadline);
        Assert.Equal(header.Length, received.Length);
        Assert.Equal(443, received.Source!.Port);
        Assert.Equal([0x82, 0x21], await ReadAvailableAsync(pair, 2));
    }

    [Fact]
    public async Task CrAndLfInSeparateSegments_EndTheHeaderThere()
    {
        using var pair = await SocketPair.CreateAsync();
        pair.Client.NoDelay = true;
        Task<ProxyHeader> receiving = ReceiveAsync(pair, readinessLoop: false);
        await pair.Client.SendAsync("PROXY UNKNOWN\r"u8.ToArray());
        await Task.Delay(20);
        await pair.Client.SendAsync("\nrest"u8.ToArray());
        Assert.Null((await receiving.WaitAsync(Deadline)).Source);
        Assert.Equal("rest"u8.ToArray(), await ReadAvailableAsync(pair, 4));
    }

    [Fact]
    public async Task Garbage_IsRefusedWithoutWaitingForMore()
    {
        using var pair = await SocketPair.CreateAsync();
        await pair.Client.SendAsync(new byte[] { 0x80, 0x01, 0x00, 0x01 });
        var error = await Assert.ThrowsAsync<ProxyHeaderException>(() => ReceiveAsync(pair, readinessLoop: true).WaitAsync(Deadline));
        Assert.Contains("neither 'PROXY '", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PeerClosingInsideTheHeader_IsEndOfStream()
    {
        using var pair = await SocketPair.CreateAsync();
        await pair.Client.SendAsync("PROXY TCP4 1.2"u8.ToArray());
        pair.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        var error = await Assert.ThrowsAsync<EndOfStreamException>(() => ReceiveAsync(pair, readinessLoop: true).WaitAsync(Deadline));
        Assert.Contains("after 14 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowHeader_EndsWithTheToken()
    {
        using var pair = await SocketPair.CreateAsync();
        await pair.Client.SendAsync("PROXY TCP4 "u8.ToArray());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            ProxyHeaderReceiver.ReceiveAsync(pair.Server, readiness: null, timeout.Token).WaitAsync(Deadline));
    }

    private static async Task<ProxyHeader> ReceiveAsync(SocketPair pair, bool readinessLoop)
    {
        if (!readinessLoop)
            return await ProxyHeaderReceiver.ReceiveAsync(pair.Server, readiness: null, CancellationToken.None);
        using var loop = new ReadinessLoop(1, 1, TimeSpan.FromSeconds(1), NullLogger.Instance);
        using SocketReadiness readiness = loop.Register(pair.Server);
        return await ProxyHeaderReceiver.ReceiveAsync(pair.Server, readiness, CancellationToken.None);
    }

    private static async Task<byte[]> ReadAvailableAsync(SocketPair pair, int count)
    {
        pair.Server.Blocking = true;
        byte[] buffer = new byte[count];
        int read = 0;
        using var timeout = new CancellationTokenSource(Deadline);
        while (read < count)
        {
            int n = await pair.Server.ReceiveAsync(buffer.AsMemory(read), System.Net.Sockets.SocketFlags.None, timeout.Token);
            if (n == 0)
                break;
            read += n;
        }
        return buffer[..read];
    }
}
