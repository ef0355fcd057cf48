using Thrift.Protocol;
using Thrift.Protocol.Entities;

namespace Tunicorn.Thrift;

/// <summary>
/// The processor's input protocol: reports each message header read to the <see cref="CallTracker"/>, and hands the
/// processor a header the connection has already read (<see cref="Replay"/>), so that the connection can check the
/// message type and pick the service before the generated processor runs.
/// </summary>
internal sealed class CallInputProtocol : TProtocolDecorator
{
    private readonly TProtocol _protocol;
    private readonly CallTracker _tracker;
    private readonly SocketTransport? _endpoint;
    private TMessage _replay;
    private bool _hasReplay;

    /// <param name="endpoint">Told when a message has been read whole, which ends its deadline; null for none.</param>
    public CallInputProtocol(TProtocol protocol, CallTracker tracker, SocketTransport? endpoint = null) : base(protocol)
    {
        _protocol = protocol;
        _tracker = tracker;
        _endpoint = endpoint;
    }

    public override Task ReadMessageEndAsync(CancellationToken cancellationToken)
    {
        Task reading = _protocol.ReadMessageEndAsync(cancellationToken);
        if (!reading.IsCompletedSuccessfully)
            return ReadMessageEndSlowAsync(reading);
        _endpoint?.EndMessageDeadline();
        return reading;
    }

    private async Task ReadMessageEndSlowAsync(Task reading)
    {
        await reading;
        _endpoint?.EndMessageDeadline();
    }

    /// <summary>The next <see cref="ReadMessageBeginAsync"/> returns <paramref name="header"/> without reading or reporting it.</summary>
    public void Replay(TMessage header)
    {
        _replay = header;
        _hasReplay = true;
    }

    public override ValueTask<TMessage> ReadMessageBeginAsync(CancellationToken cancellationToken)
    {
        if (_hasReplay)
        {
            _hasReplay = false;
            return new ValueTask<TMessage>(_replay);
        }

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
