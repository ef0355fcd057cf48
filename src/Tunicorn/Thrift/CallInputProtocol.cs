using Thrift.Protocol;
using Thrift.Protocol.Entities;

namespace Tunicorn.Thrift;

/// <summary>The processor's input protocol: reports each message header read to the <see cref="CallTracker"/>.</summary>
internal sealed class CallInputProtocol : TProtocolDecorator
{
    private readonly TProtocol _protocol;
    private readonly CallTracker _tracker;

    public CallInputProtocol(TProtocol protocol, CallTracker tracker) : base(protocol)
    {
        _protocol = protocol;
        _tracker = tracker;
    }

    public override ValueTask<TMessage> ReadMessageBeginAsync(CancellationToken cancellationToken)
    {
        ValueTask<TMessage> read = _protocol.ReadMessageBeginAsync(cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadSlowAsync(read);
        // Result may be read once only (the ValueTask can be backed by a pooled source): return a copy.
        TMessage message = read.Result;
        _tracker.OnMessageRead(message);
        return new ValueTask<TMessage>(message);
    }

    private async ValueTask<TMessage> ReadSlowAsync(ValueTask<TMessage> read)
    {
        TMessage message = await read;
        _tracker.OnMessageRead(message);
        return message;
    }
}
