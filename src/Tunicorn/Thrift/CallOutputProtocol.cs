using Thrift.Protocol;
using Thrift.Protocol.Entities;

namespace Tunicorn.Thrift;

/// <summary>
/// The processor's output protocol: shows the <see cref="CallTracker"/> the writes that tell a reply's result, and
/// bounds what an exception reply echoes of the call's name.
/// </summary>
/// <remarks>
/// The generated processor answers an unknown method with the name the client sent, twice (the reply's header and
/// "Invalid method name: 'NAME'"): a 1 MB name made a 2 MB reply. In an exception reply, the name is cut to
/// <see cref="LogText.MaxReplyNameLength"/> characters with control characters escaped, wherever it appears, and the
/// text to <see cref="LogText.MaxLength"/>. Names of real methods are short and printable, so they pass unchanged.
/// </remarks>
internal sealed class CallOutputProtocol : ForwardingProtocol
{
    private readonly CallTracker _tracker;
    // The name of the exception reply being written, when it had to be cut; null otherwise.
    private string? _cutName;
    private bool _inException;

    public CallOutputProtocol(TProtocol protocol, CallTracker tracker) : base(protocol)
    {
        _tracker = tracker;
    }

    public override Task WriteMessageBeginAsync(TMessage message, CancellationToken cancellationToken)
    {
        _tracker.OnMessageWrite(message);
        _inException = message.Type == TMessageType.Exception;
        _cutName = null;
        if (_inException && message.Name is { } name && LogText.Printable(name, LogText.MaxReplyNameLength) is var bounded
            && !ReferenceEquals(bounded, name))
        {
            _cutName = name;
            message = new TMessage(bounded, message.Type, message.SeqID);
        }
        return Inner.WriteMessageBeginAsync(message, cancellationToken);
    }

    public override Task WriteMessageEndAsync(CancellationToken cancellationToken)
    {
        _inException = false;
        _cutName = null;
        return Inner.WriteMessageEndAsync(cancellationToken);
    }

    public override Task WriteStringAsync(string str, CancellationToken cancellationToken)
    {
        if (_inException)
            str = BoundExceptionText(str);
        return Inner.WriteStringAsync(str, cancellationToken);
    }

    /// <summary>
    /// The text of an exception reply with the cut name in place of the long one, and cut itself when it is long. A
    /// text of ordinary length is left as the handler wrote it (escaping it would mangle non-ASCII messages, and the
    /// server's own replies are escaped where they are built).
    /// </summary>
    private string BoundExceptionText(string text)
    {
        if (_cutName is { } name && text.Contains(name, StringComparison.Ordinal))
            text = text.Replace(name, LogText.Printable(name, LogText.MaxReplyNameLength), StringComparison.Ordinal);
        return text.Length > LogText.MaxLength ? LogText.Printable(text, LogText.MaxLength) : text;
    }

    public override Task WriteStructBeginAsync(TStruct @struct, CancellationToken cancellationToken)
    {
        _tracker.OnStructWrite(@struct);
        return Inner.WriteStructBeginAsync(@struct, cancellationToken);
    }

    public override Task WriteFieldBeginAsync(TField field, CancellationToken cancellationToken)
    {
        _tracker.OnFieldWrite(field);
        return Inner.WriteFieldBeginAsync(field, cancellationToken);
    }

    public override Task WriteFieldStopAsync(CancellationToken cancellationToken)
    {
        _tracker.OnFieldStopWrite();
        return Inner.WriteFieldStopAsync(cancellationToken);
    }

    public override Task WriteI32Async(int i32, CancellationToken cancellationToken)
    {
        _tracker.OnI32Write(i32);
        return Inner.WriteI32Async(i32, cancellationToken);
    }
}
