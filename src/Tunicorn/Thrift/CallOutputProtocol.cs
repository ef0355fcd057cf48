using Thrift.Protocol;
using Thrift.Protocol.Entities;

namespace Tunicorn.Thrift;

/// <summary>
/// The processor's output protocol: shows the <see cref="CallTracker"/> the writes that tell a reply's result.
/// The intercepted writes forward without an extra await, unlike <see cref="TProtocolDecorator"/>'s own.
/// </summary>
internal sealed class CallOutputProtocol : TProtocolDecorator
{
    private readonly TProtocol _protocol;
    private readonly CallTracker _tracker;

    public CallOutputProtocol(TProtocol protocol, CallTracker tracker) : base(protocol)
    {
        _protocol = protocol;
        _tracker = tracker;
    }

    public override Task WriteMessageBeginAsync(TMessage message, CancellationToken cancellationToken)
    {
        _tracker.OnMessageWrite(message);
        return _protocol.WriteMessageBeginAsync(message, cancellationToken);
    }

    public override Task WriteStructBeginAsync(TStruct @struct, CancellationToken cancellationToken)
    {
        _tracker.OnStructWrite(@struct);
        return _protocol.WriteStructBeginAsync(@struct, cancellationToken);
    }

    public override Task WriteFieldBeginAsync(TField field, CancellationToken cancellationToken)
    {
        _tracker.OnFieldWrite(field);
        return _protocol.WriteFieldBeginAsync(field, cancellationToken);
    }

    public override Task WriteFieldStopAsync(CancellationToken cancellationToken)
    {
        _tracker.OnFieldStopWrite();
        return _protocol.WriteFieldStopAsync(cancellationToken);
    }

    public override Task WriteI32Async(int i32, CancellationToken cancellationToken)
    {
        _tracker.OnI32Write(i32);
        return _protocol.WriteI32Async(i32, cancellationToken);
    }
}
