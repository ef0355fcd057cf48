using Thrift;
using Thrift.Protocol;
using Thrift.Protocol.Entities;
using Thrift.Transport;
using Thrift.Transport.Client;
using Tunicorn.Thrift;

namespace Tunicorn.Tests.Thrift;

/// <summary>
/// InlineBinaryProtocol against ApacheThrift's TBinaryProtocol (strict): the same bytes for every value, and the same
/// values back, whether the transport completes at once or a byte at a time.
/// </summary>
public sealed class InlineBinaryProtocolTests
{
    private static readonly string LongName = "method_" + new string('é', 120);
    private static readonly string LongText = string.Concat(Enumerable.Repeat("text ✓ 𝄞 ", 200));
    private static readonly string HugeText = new('x', 70_000);
    private static readonly byte[] ShortBytes = [0, 1, 2, 0xff];
    private static readonly byte[] LongBytes = Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7)).ToArray();
    private static readonly Guid Uuid = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");

    [Fact]
    public async Task EveryWrite_IsByteForByteWhatTBinaryProtocolWrites()
    {
        byte[] theirs = await WrittenByAsync(t => new TBinaryProtocol(t, strictRead: true, strictWrite: true));
        byte[] ours = await WrittenByAsync(t => new InlineBinaryProtocol(t));

        Assert.True(theirs.Length > LongBytes.Length + LongText.Length, "the script wrote too little");
        Assert.Equal(Convert.ToHexString(theirs), Convert.ToHexString(ours));
    }

    [Fact]
    public async Task Uuid_IsWrittenInNetworkOrder_AsTheSpecSays()
    {
        var transport = new TMemoryBufferTransport(new TConfiguration());
        await new InlineBinaryProtocol(transport).WriteUuidAsync(Uuid, default);
        Assert.Equal("00112233445566778899AABBCCDDEEFF", Convert.ToHexString(transport.GetBuffer()));
    }

    [Fact]
    public async Task Reads_WhatTBinaryProtocolWrote_ValueForValue()
    {
        byte[] wire = await WrittenByAsync(t => new TBinaryProtocol(t, strictRead: true, strictWrite: true));
        await ReadAndCheckAsync(new InlineBinaryProtocol(new TMemoryBufferTransport(wire, new TConfiguration())));
    }

    [Fact]
    public async Task Reads_FromATransportThatGivesOneByteAtATimeLater_ValueForValue()
    {
        // Every read takes the path for bytes not there yet: each ReadAsync completes after a yield, with one byte.
        byte[] wire = await WrittenByAsync(t => new TBinaryProtocol(t, strictRead: true, strictWrite: true));
        await ReadAndCheckAsync(new InlineBinaryProtocol(new TrickleTransport(wire)));
    }

    [Fact]
    public async Task Writes_ToATransportThatCompletesLater_AreTheSameBytes()
    {
        byte[] theirs = await WrittenByAsync(t => new TBinaryProtocol(t, strictRead: true, strictWrite: true));
        var slow = new TrickleTransport([]);
        await WriteScriptAsync(new InlineBinaryProtocol(slow));
        Assert.Equal(Convert.ToHexString(theirs), Convert.ToHexString(slow.Written));
    }

    [Theory]
    [InlineData("0B 00 01 FF FF FF FF", "string")]  // field 1 of type string, length -1
    [InlineData("0B 00 01 80 00 00 00", "string")]
    [InlineData("0F 00 01 08 FF FF FF FE", "list")]
    [InlineData("0E 00 01 08 FF FF FF FF", "set")]
    [InlineData("0D 00 01 08 08 FF FF FF FF", "map")]
    public async Task NegativeLengthsAndCounts_AreRefusedAsNegativeSize_BeforeAnythingIsAllocated(string hex, string kind)
    {
        var protocol = new InlineBinaryProtocol(new TMemoryBufferTransport(Convert.FromHexString(hex.Replace(" ", "")), new TConfiguration()));
        TField field = await protocol.ReadFieldBeginAsync(default);
        var e = await Assert.ThrowsAsync<TProtocolException>(async () =>
        {
            switch (field.Type)
            {
                case TType.String: await protocol.ReadStringAsync(default); break;
                case TType.List: await protocol.ReadListBeginAsync(default); break;
                case TType.Set: await protocol.ReadSetBeginAsync(default); break;
                default: await protocol.ReadMapBeginAsync(default); break;
            }
        });
        Assert.Equal(TProtocolException.NEGATIVE_SIZE, e.GetExceptionType());
        Assert.Contains(kind, e.Message);
    }

    [Fact]
    public async Task NegativeBinaryLength_IsRefusedAsNegativeSize()
    {
        var protocol = new InlineBinaryProtocol(new TMemoryBufferTransport(Convert.FromHexString("FFFFFFF0"), new TConfiguration()));
        var e = await Assert.ThrowsAsync<TProtocolException>(async () => await protocol.ReadBinaryAsync(default));
        Assert.Equal(TProtocolException.NEGATIVE_SIZE, e.GetExceptionType());
    }

    [Theory]
    [InlineData("00 00 00 04 61 64 64 00 01 00 00 00 01", "Missing version")] // an old client's unversioned header
    [InlineData("80 02 00 01 00 00 00 03 61 64 64 00 00 00 01", "Bad version")]
    public async Task MessageWithoutVersion1_IsRefusedAsBadVersion(string hex, string text)
    {
        var protocol = new InlineBinaryProtocol(new TMemoryBufferTransport(Convert.FromHexString(hex.Replace(" ", "")), new TConfiguration()));
        var e = await Assert.ThrowsAsync<TProtocolException>(async () => await protocol.ReadMessageBeginAsync(default));
        Assert.Equal(TProtocolException.BAD_VERSION, e.GetExceptionType());
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public async Task StringLongerThanWhatIsLeft_IsRefusedBeforeItsBytesAreRead()
    {
        // A string length of 1 MB in a message of 8 bytes: the transport's check refuses it.
        var config = new TConfiguration { MaxMessageSize = 8 };
        var transport = new TMemoryBufferTransport(Convert.FromHexString("00100000414243"), config);
        // Reading past the end of the buffer would fail too, with another message: this one is the check's.
        var e = await Assert.ThrowsAsync<TTransportException>(async () => await new InlineBinaryProtocol(transport).ReadStringAsync(default));
        Assert.Equal("MaxMessageSize reached", e.Message);
    }

    private static async Task<byte[]> WrittenByAsync(Func<TTransport, TProtocol> create)
    {
        var transport = new TMemoryBufferTransport(new TConfiguration());
        await WriteScriptAsync(create(transport));
        return transport.GetBuffer();
    }

    private static async Task WriteScriptAsync(TProtocol p)
    {
        await p.WriteMessageBeginAsync(new TMessage("add", TMessageType.Call, 7), default);
        await p.WriteMessageBeginAsync(new TMessage(LongName, TMessageType.Exception, -1), default);
        await p.WriteMessageBeginAsync(new TMessage("", TMessageType.Oneway, int.MaxValue), default);
        await p.WriteStructBeginAsync(new TStruct("S"), default);
        await p.WriteFieldBeginAsync(new TField("f", TType.I32, 1), default);
        await p.WriteFieldBeginAsync(new TField("g", TType.Struct, -3), default);
        await p.WriteBoolAsync(true, default);
        await p.WriteBoolAsync(false, default);
        await p.WriteByteAsync(-128, default);
        await p.WriteI16Async(short.MinValue, default);
        await p.WriteI32Async(-2, default);
        await p.WriteI64Async(long.MaxValue, default);
        await p.WriteDoubleAsync(-0.0, default);
        await p.WriteDoubleAsync(Math.PI, default);
        await p.WriteStringAsync("", default);
        await p.WriteStringAsync("héllo", default);
        await p.WriteStringAsync(LongText, default);
        await p.WriteStringAsync(HugeText, default);
        await p.WriteBinaryAsync([], default);
        await p.WriteBinaryAsync(ShortBytes, default);
        await p.WriteBinaryAsync(LongBytes, default);
        await p.WriteUuidAsync(Uuid, default);
        // Counts the bytes after them can hold: the transport checks what a count announces against what is left.
        await p.WriteMapBeginAsync(new TMap(TType.String, TType.List, 1), default);
        await p.WriteMapEndAsync(default);
        await p.WriteListBeginAsync(new TList(TType.Byte, 2), default);
        await p.WriteListEndAsync(default);
        await p.WriteSetBeginAsync(new TSet(TType.I64, 0), default);
        await p.WriteSetEndAsync(default);
        await p.WriteFieldEndAsync(default);
        await p.WriteFieldStopAsync(default);
        await p.WriteStructEndAsync(default);
        await p.WriteMessageEndAsync(default);
        await p.Transport.FlushAsync(default);
    }

    private static async Task ReadAndCheckAsync(TProtocol p)
    {
        AssertMessage(new TMessage("add", TMessageType.Call, 7), await p.ReadMessageBeginAsync(default));
        AssertMessage(new TMessage(LongName, TMessageType.Exception, -1), await p.ReadMessageBeginAsync(default));
        AssertMessage(new TMessage("", TMessageType.Oneway, int.MaxValue), await p.ReadMessageBeginAsync(default));
        await p.ReadStructBeginAsync(default);
        TField f = await p.ReadFieldBeginAsync(default);
        Assert.Equal((TType.I32, (short)1), (f.Type, f.ID));
        TField g = await p.ReadFieldBeginAsync(default);
        Assert.Equal((TType.Struct, (short)-3), (g.Type, g.ID));
        Assert.True(await p.ReadBoolAsync(default));
        Assert.False(await p.ReadBoolAsync(default));
        Assert.Equal(-128, await p.ReadByteAsync(default));
        Assert.Equal(short.MinValue, await p.ReadI16Async(default));
        Assert.Equal(-2, await p.ReadI32Async(default));
        Assert.Equal(long.MaxValue, await p.ReadI64Async(default));
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(await p.ReadDoubleAsync(default)));
        Assert.Equal(Math.PI, await p.ReadDoubleAsync(default));
        Assert.Equal("", await p.ReadStringAsync(default));
        Assert.Equal("héllo", await p.ReadStringAsync(default));
        Assert.Equal(LongText, await p.ReadStringAsync(default));
        Assert.Equal(HugeText, await p.ReadStringAsync(default));
        Assert.Empty(await p.ReadBinaryAsync(default));
        Assert.Equal(ShortBytes, await p.ReadBinaryAsync(default));
        Assert.Equal(LongBytes, await p.ReadBinaryAsync(default));
        Assert.Equal(Uuid, await p.ReadUuidAsync(default));
        TMap map = await p.ReadMapBeginAsync(default);
        Assert.Equal((TType.String, TType.List, 1), (map.KeyType, map.ValueType, map.Count));
        await p.ReadMapEndAsync(default);
        TList list = await p.ReadListBeginAsync(default);
        Assert.Equal((TType.Byte, 2), (list.ElementType, list.Count));
        await p.ReadListEndAsync(default);
        TSet set = await p.ReadSetBeginAsync(default);
        Assert.Equal((TType.I64, 0), (set.ElementType, set.Count));
        await p.ReadSetEndAsync(default);
        await p.ReadFieldEndAsync(default);
        Assert.Equal(TType.Stop, (await p.ReadFieldBeginAsync(default)).Type);
        await p.ReadStructEndAsync(default);
        await p.ReadMessageEndAsync(default);
    }

    private static void AssertMessage(TMessage expected, TMessage actual) =>
        Assert.Equal((expected.Name, expected.Type, expected.SeqID), (actual.Name, actual.Type, actual.SeqID));

    /// <summary>Gives one byte per read and takes writes, each only after a yield: nothing completes inline.</summary>
    private sealed class TrickleTransport(byte[] input) : TEndpointTransport(new TConfiguration { MaxMessageSize = int.MaxValue })
    {
        private readonly MemoryStream _written = new();
        private int _position;

        public byte[] Written => _written.ToArray();
        public override bool IsOpen => true;
        public override Task OpenAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override void Close() { }

        public override async ValueTask<int> ReadAsync(byte[] buffer, int offset, int length, CancellationToken cancellationToken)
        {
            await Task.Yield();
            if (_position == input.Length || length == 0)
                return 0;
            buffer[offset] = input[_position++];
            return 1;
        }

        public override async Task WriteAsync(byte[] buffer, int offset, int length, CancellationToken cancellationToken)
        {
            await Task.Yield();
            _written.Write(buffer, offset, length);
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        protected override void Dispose(bool disposing) => _written.Dispose();
    }
}
