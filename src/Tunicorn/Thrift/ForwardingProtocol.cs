using Thrift.Protocol;
using Thrift.Protocol.Entities;

namespace Tunicorn.Thrift;

/// <summary>
/// A protocol that hands every read and write to another one and returns its task as it is.
/// </summary>
/// <remarks>
/// Why not ApacheThrift's TProtocolDecorator: each of its methods is an <c>async</c> method that awaits the wrapped
/// one, so every field of every call paid for one more state machine (in the profile of issue 13, part of the 0.64 µs
/// of async machinery a call). Subclasses override what they watch and forward the rest for free.
/// </remarks>
internal abstract class ForwardingProtocol(TProtocol inner) : TProtocol(inner.Transport)
{
    protected TProtocol Inner { get; } = inner;

    public override int GetMinSerializedSize(TType type) => Inner.GetMinSerializedSize(type);

    public override Task WriteMessageBeginAsync(TMessage message, CancellationToken cancellationToken) => Inner.WriteMessageBeginAsync(message, cancellationToken);
    public override Task WriteMessageEndAsync(CancellationToken cancellationToken) => Inner.WriteMessageEndAsync(cancellationToken);
    public override Task WriteStructBeginAsync(TStruct @struct, CancellationToken cancellationToken) => Inner.WriteStructBeginAsync(@struct, cancellationToken);
    public override Task WriteStructEndAsync(CancellationToken cancellationToken) => Inner.WriteStructEndAsync(cancellationToken);
    public override Task WriteFieldBeginAsync(TField field, CancellationToken cancellationToken) => Inner.WriteFieldBeginAsync(field, cancellationToken);
    public override Task WriteFieldEndAsync(CancellationToken cancellationToken) => Inner.WriteFieldEndAsync(cancellationToken);
    public override Task WriteFieldStopAsync(CancellationToken cancellationToken) => Inner.WriteFieldStopAsync(cancellationToken);
    public override Task WriteMapBeginAsync(TMap map, CancellationToken cancellationToken) => Inner.WriteMapBeginAsync(map, cancellationToken);
    public override Task WriteMapEndAsync(CancellationToken cancellationToken) => Inner.WriteMapEndAsync(cancellationToken);
    public override Task WriteListBeginAsync(TList list, CancellationToken cancellationToken) => Inner.WriteListBeginAsync(list, cancellationToken);
    public override Task WriteListEndAsync(CancellationToken cancellationToken) => Inner.WriteListEndAsync(cancellationToken);
    public override Task WriteSetBeginAsync(TSet set, CancellationToken cancellationToken) => Inner.WriteSetBeginAsync(set, cancellationToken);
    public override Task WriteSetEndAsync(CancellationToken cancellationToken) => Inner.WriteSetEndAsync(cancellationToken);
    public override Task WriteBoolAsync(bool b, CancellationToken cancellationToken) => Inner.WriteBoolAsync(b, cancellationToken);
    public override Task WriteByteAsync(sbyte b, CancellationToken cancellationToken) => Inner.WriteByteAsync(b, cancellationToken);
    public override Task WriteI16Async(short i16, CancellationToken cancellationToken) => Inner.WriteI16Async(i16, cancellationToken);
    public override Task WriteI32Async(int i32, CancellationToken cancellationToken) => Inner.WriteI32Async(i32, cancellationToken);
    public override Task WriteI64Async(long i64, CancellationToken cancellationToken) => Inner.WriteI64Async(i64, cancellationToken);
    public override Task WriteDoubleAsync(double d, CancellationToken cancellationToken) => Inner.WriteDoubleAsync(d, cancellationToken);
    public override Task WriteStringAsync(string s, CancellationToken cancellationToken) => Inner.WriteStringAsync(s, cancellationToken);
    public override Task WriteBinaryAsync(byte[] bytes, CancellationToken cancellationToken) => Inner.WriteBinaryAsync(bytes, cancellationToken);
    public override Task WriteUuidAsync(Guid uuid, CancellationToken cancellationToken) => Inner.WriteUuidAsync(uuid, cancellationToken);

    public override ValueTask<TMessage> ReadMessageBeginAsync(CancellationToken cancellationToken) => Inner.ReadMessageBeginAsync(cancellationToken);
    public override Task ReadMessageEndAsync(CancellationToken cancellationToken) => Inner.ReadMessageEndAsync(cancellationToken);
    public override ValueTask<TStruct> ReadStructBeginAsync(CancellationToken cancellationToken) => Inner.ReadStructBeginAsync(cancellationToken);
    public override Task ReadStructEndAsync(CancellationToken cancellationToken) => Inner.ReadStructEndAsync(cancellationToken);
    public override ValueTask<TField> ReadFieldBeginAsync(CancellationToken cancellationToken) => Inner.ReadFieldBeginAsync(cancellationToken);
    public override Task ReadFieldEndAsync(CancellationToken cancellationToken) => Inner.ReadFieldEndAsync(cancellationToken);
    public override ValueTask<TMap> ReadMapBeginAsync(CancellationToken cancellationToken) => Inner.ReadMapBeginAsync(cancellationToken);
    public override Task ReadMapEndAsync(CancellationToken cancellationToken) => Inner.ReadMapEndAsync(cancellationToken);
    public override ValueTask<TList> ReadListBeginAsync(CancellationToken cancellationToken) => Inner.ReadListBeginAsync(cancellationToken);
    public override Task ReadListEndAsync(CancellationToken cancellationToken) => Inner.ReadListEndAsync(cancellationToken);
    public override ValueTask<TSet> ReadSetBeginAsync(CancellationToken cancellationToken) => Inner.ReadSetBeginAsync(cancellationToken);
    public override Task ReadSetEndAsync(CancellationToken cancellationToken) => Inner.ReadSetEndAsync(cancellationToken);
    public override ValueTask<bool> ReadBoolAsync(CancellationToken cancellationToken) => Inner.ReadBoolAsync(cancellationToken);
    public override ValueTask<sbyte> ReadByteAsync(CancellationToken cancellationToken) => Inner.ReadByteAsync(cancellationToken);
    public override ValueTask<short> ReadI16Async(CancellationToken cancellationToken) => Inner.ReadI16Async(cancellationToken);
    public override ValueTask<int> ReadI32Async(CancellationToken cancellationToken) => Inner.ReadI32Async(cancellationToken);
    public override ValueTask<long> ReadI64Async(CancellationToken cancellationToken) => Inner.ReadI64Async(cancellationToken);
    public override ValueTask<double> ReadDoubleAsync(CancellationToken cancellationToken) => Inner.ReadDoubleAsync(cancellationToken);
    public override ValueTask<string> ReadStringAsync(CancellationToken cancellationToken) => Inner.ReadStringAsync(cancellationToken);
    public override ValueTask<byte[]> ReadBinaryAsync(CancellationToken cancellationToken) => Inner.ReadBinaryAsync(cancellationToken);
    public override ValueTask<Guid> ReadUuidAsync(CancellationToken cancellationToken) => Inner.ReadUuidAsync(cancellationToken);
}
