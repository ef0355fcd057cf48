using System.Buffers.Binary;
using Tunicorn.ZooKeeper.Protocol;

namespace Tunicorn.ZooKeeper.Tests.Unit;

/// <summary>The encoding, and that hostile lengths are refused before anything is allocated for them.</summary>
public sealed class JuteTests
{
    [Fact]
    public void Requests_AreLengthPrefixedBigEndianJute()
    {
        byte[] frame = Requests.PathAndWatch(OpCode.GetData, "/a", watch: true);
        JuteWriter.SetXid(frame, 7);

        // length 15 | xid 7 | type 4 | "/a" (length 2) | watch true
        Assert.Equal([0, 0, 0, 15, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 2, (byte)'/', (byte)'a', 1], frame);
    }

    [Fact]
    public void ConnectRequest_EndsWithTheReadOnlyFlag()
    {
        byte[] frame = new ConnectRequest(LastZxidSeen: 5, TimeoutMs: 4000, SessionId: 0, Password: ReadOnlyMemory<byte>.Empty).ToFrame();

        // protocol version, last zxid, timeout, session id, 16-byte password, readOnly
        Assert.Equal(4 + 8 + 4 + 8 + 4 + 16 + 1, BinaryPrimitives.ReadInt32BigEndian(frame));
        Assert.Equal(5, BinaryPrimitives.ReadInt64BigEndian(frame.AsSpan(8)));
        Assert.Equal(4000, BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(16)));
        Assert.Equal(0, frame[^1]);
    }

    [Fact]
    public void ConnectResponse_WithoutReadOnlyFlag_FromOldServers_Parses()
    {
        byte[] body = [0, 0, 0, 0, 0, 0, 0x0f, 0xa0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 2, 0xaa, 0xbb];

        ConnectResponse response = ConnectResponse.Parse(body);

        Assert.Equal(4000, response.TimeoutMs);
        Assert.Equal(9, response.SessionId);
        Assert.Equal([0xaa, 0xbb], response.Password);
        Assert.False(response.ReadOnly);
        Assert.False(response.SessionExpired);
    }

    [Theory]
    [InlineData(new byte[] { 0x7f, 0xff, 0xff, 0xff }, "string")]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xfe }, "length -2")]
    [InlineData(new byte[] { 0, 0, 0, 5, (byte)'a' }, "truncated")]
    public void ReadString_HostileLength_IsAProtocolError(byte[] bytes, string reason)
    {
        var error = Assert.Throws<ZooKeeperProtocolException>(() =>
        {
            var reader = new JuteReader(bytes);
            reader.ReadString();
        });
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadStrings_CountBeyondTheFrame_IsRefusedBeforeAllocating()
    {
        byte[] bytes = [0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0];

        var error = Assert.Throws<ZooKeeperProtocolException>(() =>
        {
            var reader = new JuteReader(bytes);
            reader.ReadStrings("child name");
        });
        Assert.Contains("2147483647 entries in 4 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadStat_Truncated_IsAProtocolError() =>
        Assert.Throws<ZooKeeperProtocolException>(() =>
        {
            var reader = new JuteReader(new byte[JuteReader.StatLength - 1]);
            reader.ReadStat();
        });

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    [InlineData(1025)]
    public async Task FrameReader_LengthOutsideTheLimit_IsAProtocolError(int length)
    {
        byte[] prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, length);
        var frames = new FrameReader(new MemoryStream(prefix), maxFrameLength: 1024);

        var error = await Assert.ThrowsAsync<ZooKeeperProtocolException>(() => frames.ReadAsync(CancellationToken.None).AsTask());
        Assert.Contains($"frame length {length}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FrameReader_ServerClosedMidFrame_IsEndOfStream()
    {
        var frames = new FrameReader(new MemoryStream([0, 0, 0, 8, 1, 2]), maxFrameLength: 1024);

        await Assert.ThrowsAsync<EndOfStreamException>(() => frames.ReadAsync(CancellationToken.None).AsTask());
    }
}
