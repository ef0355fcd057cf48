using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Thrift.Protocol;
using Thrift.Protocol.Entities;
using Thrift.Transport;

namespace Tunicorn.Thrift;

/// <summary>
/// Thrift's binary protocol, strict in both directions, byte for byte what ApacheThrift's <see cref="TBinaryProtocol"/>
/// writes and reads, that completes inline whenever the transport does.
/// </summary>
/// <remarks>
/// <para>
/// Why not TBinaryProtocol: every one of its reads and writes is an <c>async</c> method, and most await another (a
/// field header is a byte and an i16, each through its own state machine), so a call of two arguments ran through
/// dozens of state machines even with the whole message already in the receive buffer. The profile of issue 13 put
/// that async machinery at 0.64 µs and the protocol's own code at 0.77 µs of a call. Here each read asks the
/// transport for all the bytes of one value at once and decodes them when they are there; only a read the transport
/// cannot complete at once (a message split across packets) goes through an async method.
/// </para>
/// <para>
/// A write is encoded into a small buffer and handed to the transport in one call: a field header is one write of 3
/// bytes, not two. Tunicorn's transports buffer writes, so writes complete inline.
/// </para>
/// <para>
/// Where TBinaryProtocol is lenient with a hostile length (a negative string length read as an empty string, a
/// negative binary or collection size left to fail in an allocation), this protocol refuses it with NEGATIVE_SIZE,
/// as Thrift's C++ and Java libraries do.
/// </para>
/// </remarks>
internal sealed class InlineBinaryProtocol : TProtocol
{
    private const uint VersionMask = 0xffff0000;
    private const uint Version1 = 0x80010000;
    // Room for a message header (version, name length, seqid) with a method name of up to 80 characters, and for any
    // fixed-size value. Longer strings are encoded into a rented buffer.
    private const int ScratchSize = 256;
    private const int MessageHeaderFixedBytes = 12;
    // A string's bytes up to this size pass through a rented buffer. A larger one gets an array of its own, which the
    // GC takes back: a client that announces a 90 MB string must not leave 128 MB in the shared pool for good.
    private const int MaxRentedStringBytes = 64 * 1024;

    private readonly byte[] _scratch = new byte[ScratchSize];

    public InlineBinaryProtocol(TTransport transport) : base(transport)
    {
    }

    public override int GetMinSerializedSize(TType type) => type switch
    {
        TType.Stop or TType.Void or TType.Struct => 0,
        TType.Bool or TType.Byte => 1,
        TType.I16 => 2,
        TType.I32 or TType.String or TType.Map or TType.Set or TType.List => 4,
        TType.I64 or TType.Double => 8,
        TType.Uuid => 16,
        _ => throw new TProtocolException(TProtocolException.NOT_IMPLEMENTED, $"unknown type code {(int)type}"),
    };

    // ---- writes ----

    public override Task WriteMessageBeginAsync(TMessage message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string name = message.Name ?? string.Empty;
        if (Encoding.UTF8.GetMaxByteCount(name.Length) > ScratchSize - MessageHeaderFixedBytes)
            return WriteMessageBeginInPartsAsync(message.Type, name, message.SeqID, cancellationToken);

        Span<byte> scratch = _scratch;
        BinaryPrimitives.WriteInt32BigEndian(scratch, (int)(Version1 | (uint)message.Type));
        int nameBytes = Encoding.UTF8.GetBytes(name, scratch[8..]);
        BinaryPrimitives.WriteInt32BigEndian(scratch[4..], nameBytes);
        BinaryPrimitives.WriteInt32BigEndian(scratch[(8 + nameBytes)..], message.SeqID);
        return WriteScratch(MessageHeaderFixedBytes + nameBytes, cancellationToken);
    }

    private async Task WriteMessageBeginInPartsAsync(TMessageType type, string name, int seqId, CancellationToken cancellationToken)
    {
        await WriteI32Async((int)(Version1 | (uint)type), cancellationToken);
        await WriteStringAsync(name, cancellationToken);
        await WriteI32Async(seqId, cancellationToken);
    }

    public override Task WriteMessageEndAsync(CancellationToken cancellationToken) => Done(cancellationToken);
    public override Task WriteStructBeginAsync(TStruct @struct, CancellationToken cancellationToken) => Done(cancellationToken);
    public override Task WriteStructEndAsync(CancellationToken cancellationToken) => Done(cancellationToken);
    public override Task WriteFieldEndAsync(CancellationToken cancellationToken) => Done(cancellationToken);
    public override Task WriteMapEndAsync(CancellationToken cancellationToken) => Done(cancellationToken);
    public override Task WriteListEndAsync(CancellationToken cancellationToken) => Done(cancellationToken);
    public override Task WriteSetEndAsync(CancellationToken cancellationToken) => Done(cancellationToken);

    public override Task WriteFieldBeginAsync(TField field, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _scratch[0] = (byte)field.Type;
        BinaryPrimitives.WriteInt16BigEndian(_scratch.AsSpan(1), field.ID);
        return WriteScratch(3, cancellationToken);
    }

    public override Task WriteFieldStopAsync(CancellationToken cancellationToken) => WriteByteAsync((sbyte)TType.Stop, cancellationToken);

    public override Task WriteMapBeginAsync(TMap map, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _scratch[0] = (byte)map.KeyType;
        _scratch[1] = (byte)map.ValueType;
        BinaryPrimitives.WriteInt32BigEndian(_scratch.AsSpan(2), map.Count);
        return WriteScratch(6, cancellationToken);
    }

    public override Task WriteListBeginAsync(TList list, CancellationToken cancellationToken) =>
        WriteCollectionBegin(list.ElementType, list.Count, cancellationToken);

    public override Task WriteSetBeginAsync(TSet set, CancellationToken cancellationToken) =>
        WriteCollectionBegin(set.ElementType, set.Count, cancellationToken);

    private Task WriteCollectionBegin(TType elementType, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _scratch[0] = (byte)elementType;
        BinaryPrimitives.WriteInt32BigEndian(_scratch.AsSpan(1), count);
        return WriteScratch(5, cancellationToken);
    }

    public override Task WriteBoolAsync(bool b, CancellationToken cancellationToken) => WriteByteAsync(b ? (sbyte)1 : (sbyte)0, cancellationToken);

    public override Task WriteByteAsync(sbyte b, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _scratch[0] = (byte)b;
        return WriteScratch(1, cancellationToken);
    }

    public override Task WriteI16Async(short i16, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BinaryPrimitives.WriteInt16BigEndian(_scratch, i16);
        return WriteScratch(2, cancellationToken);
    }

    public override Task WriteI32Async(int i32, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BinaryPrimitives.WriteInt32BigEndian(_scratch, i32);
        return WriteScratch(4, cancellationToken);
    }

    public override Task WriteI64Async(long i64, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BinaryPrimitives.WriteInt64BigEndian(_scratch, i64);
        return WriteScratch(8, cancellationToken);
    }

    public override Task WriteDoubleAsync(double d, CancellationToken cancellationToken) =>
        WriteI64Async(BitConverter.DoubleToInt64Bits(d), cancellationToken);

    public override Task WriteUuidAsync(Guid uuid, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // The Thrift spec's UUID is the 16 bytes of RFC 4122 in network order.
        uuid.TryWriteBytes(_scratch, bigEndian: true, out _);
        return WriteScratch(16, cancellationToken);
    }

    public override Task WriteStringAsync(string s, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Encoding.UTF8.GetMaxByteCount(s.Length) <= ScratchSize - 4)
        {
            int count = Encoding.UTF8.GetBytes(s, _scratch.AsSpan(4));
            BinaryPrimitives.WriteInt32BigEndian(_scratch, count);
            return WriteScratch(4 + count, cancellationToken);
        }

        int length = Encoding.UTF8.GetByteCount(s);
        byte[] rented = ArrayPool<byte>.Shared.Rent(4 + length);
        Task writing;
        try
        {
            BinaryPrimitives.WriteInt32BigEndian(rented, length);
            Encoding.UTF8.GetBytes(s, rented.AsSpan(4));
            writing = Trans.WriteAsync(rented, 0, 4 + length, cancellationToken);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(rented);
            throw;
        }
        if (!writing.IsCompletedSuccessfully)
            return ReturnAfterAsync(writing, rented);
        ArrayPool<byte>.Shared.Return(rented);
        return Task.CompletedTask;
    }

    private static async Task ReturnAfterAsync(Task writing, byte[] rented)
    {
        try
        {
            await writing;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override Task WriteBinaryAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (bytes.Length <= ScratchSize - 4)
        {
            BinaryPrimitives.WriteInt32BigEndian(_scratch, bytes.Length);
            bytes.CopyTo(_scratch, 4);
            return WriteScratch(4 + bytes.Length, cancellationToken);
        }

        Task length = WriteI32Async(bytes.Length, cancellationToken);
        if (!length.IsCompletedSuccessfully)
            return WriteBodyAfterAsync(length, bytes, cancellationToken);
        return Trans.WriteAsync(bytes, 0, bytes.Length, cancellationToken);
    }

    private async Task WriteBodyAfterAsync(Task length, byte[] bytes, CancellationToken cancellationToken)
    {
        await length;
        await Trans.WriteAsync(bytes, 0, bytes.Length, cancellationToken);
    }

    private Task WriteScratch(int length, CancellationToken cancellationToken) => Trans.WriteAsync(_scratch, 0, length, cancellationToken);

    private static Task Done(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.CompletedTask;
    }

    // ---- reads ----

    public override ValueTask<TMessage> ReadMessageBeginAsync(CancellationToken cancellationToken)
    {
        ValueTask<int> header = ReadI32Async(cancellationToken);
        if (!header.IsCompletedSuccessfully)
            return ReadMessageBeginSlowAsync(header, cancellationToken);
        TMessageType type = MessageType(header.Result);

        ValueTask<string> name = ReadStringAsync(cancellationToken);
        if (!name.IsCompletedSuccessfully)
            return ReadMessageRestSlowAsync(type, name, cancellationToken);
        string method = name.Result;

        ValueTask<int> seqId = ReadI32Async(cancellationToken);
        if (!seqId.IsCompletedSuccessfully)
            return MessageAfterAsync(method, type, seqId);
        return new ValueTask<TMessage>(new TMessage(method, type, seqId.Result));
    }

    private async ValueTask<TMessage> ReadMessageBeginSlowAsync(ValueTask<int> header, CancellationToken cancellationToken)
    {
        TMessageType type = MessageType(await header);
        return await ReadMessageRestSlowAsync(type, ReadStringAsync(cancellationToken), cancellationToken);
    }

    private async ValueTask<TMessage> ReadMessageRestSlowAsync(TMessageType type, ValueTask<string> name, CancellationToken cancellationToken)
    {
        string method = await name;
        return new TMessage(method, type, await ReadI32Async(cancellationToken));
    }

    private static async ValueTask<TMessage> MessageAfterAsync(string method, TMessageType type, ValueTask<int> seqId) =>
        new(method, type, await seqId);

    private static TMessageType MessageType(int header)
    {
        if (header >= 0)
        {
            // Old clients sent the name's length first; strict read refuses them, as TBinaryProtocol(strictRead) does.
            throw new TProtocolException(TProtocolException.BAD_VERSION, "Missing version in ReadMessageBegin, old client?");
        }
        uint version = (uint)header & VersionMask;
        if (version != Version1)
            throw new TProtocolException(TProtocolException.BAD_VERSION, $"Bad version in ReadMessageBegin: {version}");
        return (TMessageType)(header & 0xff);
    }

    public override Task ReadMessageEndAsync(CancellationToken cancellationToken) => Done(cancellationToken);

    public override ValueTask<TStruct> ReadStructBeginAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<TStruct>(AnonymousStruct);
    }

    public override Task ReadStructEndAsync(CancellationToken cancellationToken) => Done(cancellationToken);
    public override Task ReadFieldEndAsync(CancellationToken cancellationToken) => Done(cancellationToken);
    public override Task ReadMapEndAsync(CancellationToken cancellationToken) => Done(cancellationToken);
    public override Task ReadListEndAsync(CancellationToken cancellationToken) => Done(cancellationToken);
    public override Task ReadSetEndAsync(CancellationToken cancellationToken) => Done(cancellationToken);

    public override ValueTask<TField> ReadFieldBeginAsync(CancellationToken cancellationToken)
    {
        // The stop field is one byte and may be the last of the message: the type is read alone, then the id.
        ValueTask<int> read = Fill(1, cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadFieldBeginSlowAsync(read, cancellationToken);
        _ = read.Result;
        var type = (TType)_scratch[0];
        if (type == TType.Stop)
            return new ValueTask<TField>(StopField);

        ValueTask<short> id = ReadI16Async(cancellationToken);
        if (!id.IsCompletedSuccessfully)
            return FieldWithIdAsync(type, id);
        return new ValueTask<TField>(new TField { Type = type, ID = id.Result });
    }

    private async ValueTask<TField> ReadFieldBeginSlowAsync(ValueTask<int> read, CancellationToken cancellationToken)
    {
        await read;
        var type = (TType)_scratch[0];
        if (type == TType.Stop)
            return StopField;
        return new TField { Type = type, ID = await ReadI16Async(cancellationToken) };
    }

    private static async ValueTask<TField> FieldWithIdAsync(TType type, ValueTask<short> id) => new() { Type = type, ID = await id };

    public override ValueTask<TMap> ReadMapBeginAsync(CancellationToken cancellationToken)
    {
        ValueTask<int> read = Fill(6, cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadMapBeginSlowAsync(read);
        _ = read.Result;
        return new ValueTask<TMap>(DecodeMapBegin());
    }

    private async ValueTask<TMap> ReadMapBeginSlowAsync(ValueTask<int> read)
    {
        await read;
        return DecodeMapBegin();
    }

    private TMap DecodeMapBegin()
    {
        var map = new TMap { KeyType = (TType)_scratch[0], ValueType = (TType)_scratch[1], Count = CountAt(2, "map") };
        CheckReadBytesAvailable(map);
        return map;
    }

    public override ValueTask<TList> ReadListBeginAsync(CancellationToken cancellationToken)
    {
        ValueTask<int> read = Fill(5, cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadListBeginSlowAsync(read);
        _ = read.Result;
        return new ValueTask<TList>(DecodeListBegin());
    }

    private async ValueTask<TList> ReadListBeginSlowAsync(ValueTask<int> read)
    {
        await read;
        return DecodeListBegin();
    }

    private TList DecodeListBegin()
    {
        var list = new TList { ElementType = (TType)_scratch[0], Count = CountAt(1, "list") };
        CheckReadBytesAvailable(list);
        return list;
    }

    public override ValueTask<TSet> ReadSetBeginAsync(CancellationToken cancellationToken)
    {
        ValueTask<int> read = Fill(5, cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadSetBeginSlowAsync(read);
        _ = read.Result;
        return new ValueTask<TSet>(DecodeSetBegin());
    }

    private async ValueTask<TSet> ReadSetBeginSlowAsync(ValueTask<int> read)
    {
        await read;
        return DecodeSetBegin();
    }

    private TSet DecodeSetBegin()
    {
        var set = new TSet { ElementType = (TType)_scratch[0], Count = CountAt(1, "set") };
        CheckReadBytesAvailable(set);
        return set;
    }

    private int CountAt(int offset, string kind)
    {
        int count = BinaryPrimitives.ReadInt32BigEndian(_scratch.AsSpan(offset));
        if (count < 0)
            throw new TProtocolException(TProtocolException.NEGATIVE_SIZE, $"a {kind} of {count} elements");
        return count;
    }

    public override ValueTask<bool> ReadBoolAsync(CancellationToken cancellationToken)
    {
        ValueTask<int> read = Fill(1, cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadBoolSlowAsync(read);
        _ = read.Result;
        return new ValueTask<bool>(_scratch[0] == 1);
    }

    private async ValueTask<bool> ReadBoolSlowAsync(ValueTask<int> read)
    {
        await read;
        return _scratch[0] == 1;
    }

    public override ValueTask<sbyte> ReadByteAsync(CancellationToken cancellationToken)
    {
        ValueTask<int> read = Fill(1, cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadByteSlowAsync(read);
        _ = read.Result;
        return new ValueTask<sbyte>((sbyte)_scratch[0]);
    }

    private async ValueTask<sbyte> ReadByteSlowAsync(ValueTask<int> read)
    {
        await read;
        return (sbyte)_scratch[0];
    }

    public override ValueTask<short> ReadI16Async(CancellationToken cancellationToken)
    {
        ValueTask<int> read = Fill(2, cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadI16SlowAsync(read);
        _ = read.Result;
        return new ValueTask<short>(BinaryPrimitives.ReadInt16BigEndian(_scratch));
    }

    private async ValueTask<short> ReadI16SlowAsync(ValueTask<int> read)
    {
        await read;
        return BinaryPrimitives.ReadInt16BigEndian(_scratch);
    }

    public override ValueTask<int> ReadI32Async(CancellationToken cancellationToken)
    {
        ValueTask<int> read = Fill(4, cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadI32SlowAsync(read);
        _ = read.Result;
        return new ValueTask<int>(BinaryPrimitives.ReadInt32BigEndian(_scratch));
    }

    private async ValueTask<int> ReadI32SlowAsync(ValueTask<int> read)
    {
        await read;
        return BinaryPrimitives.ReadInt32BigEndian(_scratch);
    }

    public override ValueTask<long> ReadI64Async(CancellationToken cancellationToken)
    {
        ValueTask<int> read = Fill(8, cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadI64SlowAsync(read);
        _ = read.Result;
        return new ValueTask<long>(BinaryPrimitives.ReadInt64BigEndian(_scratch));
    }

    private async ValueTask<long> ReadI64SlowAsync(ValueTask<int> read)
    {
        await read;
        return BinaryPrimitives.ReadInt64BigEndian(_scratch);
    }

    public override ValueTask<double> ReadDoubleAsync(CancellationToken cancellationToken)
    {
        ValueTask<long> read = ReadI64Async(cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadDoubleSlowAsync(read);
        return new ValueTask<double>(BitConverter.Int64BitsToDouble(read.Result));
    }

    private static async ValueTask<double> ReadDoubleSlowAsync(ValueTask<long> read) => BitConverter.Int64BitsToDouble(await read);

    public override ValueTask<Guid> ReadUuidAsync(CancellationToken cancellationToken)
    {
        ValueTask<int> read = Fill(16, cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadUuidSlowAsync(read);
        _ = read.Result;
        return new ValueTask<Guid>(new Guid(_scratch.AsSpan(0, 16), bigEndian: true));
    }

    private async ValueTask<Guid> ReadUuidSlowAsync(ValueTask<int> read)
    {
        await read;
        return new Guid(_scratch.AsSpan(0, 16), bigEndian: true);
    }

    public override ValueTask<string> ReadStringAsync(CancellationToken cancellationToken)
    {
        ValueTask<int> size = ReadI32Async(cancellationToken);
        if (!size.IsCompletedSuccessfully)
            return ReadStringSlowAsync(size, cancellationToken);
        int length = BodyLength(size.Result, "string");
        if (length == 0)
            return new ValueTask<string>(string.Empty);
        if (length > ScratchSize)
            return ReadLongStringAsync(length, cancellationToken);

        ValueTask<int> body = Fill(length, cancellationToken);
        if (!body.IsCompletedSuccessfully)
            return ReadShortStringSlowAsync(body, length);
        _ = body.Result;
        return new ValueTask<string>(Encoding.UTF8.GetString(_scratch, 0, length));
    }

    private async ValueTask<string> ReadStringSlowAsync(ValueTask<int> size, CancellationToken cancellationToken)
    {
        int length = BodyLength(await size, "string");
        if (length == 0)
            return string.Empty;
        if (length > ScratchSize)
            return await ReadLongStringAsync(length, cancellationToken);
        await Fill(length, cancellationToken);
        return Encoding.UTF8.GetString(_scratch, 0, length);
    }

    private async ValueTask<string> ReadShortStringSlowAsync(ValueTask<int> body, int length)
    {
        await body;
        return Encoding.UTF8.GetString(_scratch, 0, length);
    }

    private async ValueTask<string> ReadLongStringAsync(int length, CancellationToken cancellationToken)
    {
        if (length > MaxRentedStringBytes)
        {
            var bytes = new byte[length];
            await Trans.ReadAllAsync(bytes, 0, length, cancellationToken);
            return Encoding.UTF8.GetString(bytes);
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            await Trans.ReadAllAsync(rented, 0, length, cancellationToken);
            return Encoding.UTF8.GetString(rented, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override ValueTask<byte[]> ReadBinaryAsync(CancellationToken cancellationToken)
    {
        ValueTask<int> size = ReadI32Async(cancellationToken);
        if (!size.IsCompletedSuccessfully)
            return ReadBinarySlowAsync(size, cancellationToken);
        return ReadBinaryBody(BodyLength(size.Result, "binary"), cancellationToken);
    }

    private async ValueTask<byte[]> ReadBinarySlowAsync(ValueTask<int> size, CancellationToken cancellationToken) =>
        await ReadBinaryBody(BodyLength(await size, "binary"), cancellationToken);

    private ValueTask<byte[]> ReadBinaryBody(int length, CancellationToken cancellationToken)
    {
        // The handler keeps the array: it is the value, so it is allocated, not rented.
        var bytes = new byte[length];
        ValueTask<int> read = Trans.ReadAllAsync(bytes, 0, length, cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadBinaryBodySlowAsync(read, bytes);
        _ = read.Result;
        return new ValueTask<byte[]>(bytes);
    }

    private static async ValueTask<byte[]> ReadBinaryBodySlowAsync(ValueTask<int> read, byte[] bytes)
    {
        await read;
        return bytes;
    }

    /// <summary>A string's or binary's length, checked before anything is allocated for it.</summary>
    private int BodyLength(int length, string kind)
    {
        if (length < 0)
            throw new TProtocolException(TProtocolException.NEGATIVE_SIZE, $"a {kind} of {length} bytes");
        Transport.CheckReadBytesAvailable(length);
        return length;
    }

    /// <summary>The next <paramref name="count"/> bytes of the message into the scratch buffer, inline when buffered.</summary>
    private ValueTask<int> Fill(int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Trans.ReadAllAsync(_scratch, 0, count, cancellationToken);
    }
}
