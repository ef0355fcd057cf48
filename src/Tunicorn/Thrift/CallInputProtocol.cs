using Thrift.Protocol;
using Thrift.Protocol.Entities;

namespace Tunicorn.Thrift;

/// <summary>
/// The processor's input protocol: reports each message header read to the <see cref="CallTracker"/>, and hands the
/// processor a header the connection has already read (<see cref="Replay"/>), so that the connection can check the
/// message type and pick the service before the generated processor runs. Shows the <see cref="MessageMemoryAccount"/>
/// each collection the message announces, before the generated code allocates it.
/// </summary>
/// <remarks>
/// The wrapped protocol has already checked that the count's smallest encoding fits in what is left of the message
/// (and of its frame, <see cref="FramedTransport.CheckReadBytesAvailable"/>); the account bounds what the elements
/// cost in memory, which the bytes do not: generated code cannot be changed, so the count is checked here.
/// </remarks>
internal sealed class CallInputProtocol : ForwardingProtocol
{
    private readonly CallTracker _tracker;
    private readonly MessageMemoryAccount _memory;
    private readonly SocketTransport? _endpoint;
    private TMessage _replay;
    private bool _hasReplay;

    /// <param name="memory">Charged for every list, set and map before the generated code allocates for it.</param>
    /// <param name="endpoint">Told when a message has been read whole, which ends its deadline; null for none.</param>
    public CallInputProtocol(TProtocol protocol, CallTracker tracker, MessageMemoryAccount memory, SocketTransport? endpoint = null)
        : base(protocol)
    {
        _tracker = tracker;
        _memory = memory;
        _endpoint = endpoint;
    }

    public override ValueTask<TList> ReadListBeginAsync(CancellationToken cancellationToken)
    {
        ValueTask<TList> read = Inner.ReadListBeginAsync(cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadListSlowAsync(read);
        TList list = read.Result;
        _memory.OnList(list);
        return new ValueTask<TList>(list);
    }

    private async ValueTask<TList> ReadListSlowAsync(ValueTask<TList> read)
    {
        TList list = await read;
        _memory.OnList(list);
        return list;
    }

    public override ValueTask<TSet> ReadSetBeginAsync(CancellationToken cancellationToken)
    {
        ValueTask<TSet> read = Inner.ReadSetBeginAsync(cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadSetSlowAsync(read);
        TSet set = read.Result;
        _memory.OnSet(set);
        return new ValueTask<TSet>(set);
    }

    private async ValueTask<TSet> ReadSetSlowAsync(ValueTask<TSet> read)
    {
        TSet set = await read;
        _memory.OnSet(set);
        return set;
    }

    public override ValueTask<TMap> ReadMapBeginAsync(CancellationToken cancellationToken)
    {
        ValueTask<TMap> read = Inner.ReadMapBeginAsync(cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadMapSlowAsync(read);
        TMap map = read.Result;
        _memory.OnMap(map);
        return new ValueTask<TMap>(map);
    }

    private async ValueTask<TMap> ReadMapSlowAsync(ValueTask<TMap> read)
    {
        TMap map = await read;
        _memory.OnMap(map);
        return map;
    }

    public override Task ReadMessageEndAsync(CancellationToken cancellationToken)
    {
        Task reading = Inner.ReadMessageEndAsync(cancellationToken);
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

        ValueTask<TMessage> read = Inner.ReadMessageBeginAsync(cancellationToken);
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
