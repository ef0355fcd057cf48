using System.Diagnostics;
using Thrift;
using Thrift.Protocol.Entities;

namespace Tunicorn.Thrift;

/// <summary>
/// Follows one connection's calls through what the processor reads and writes: the message header read starts a
/// <see cref="ThriftCall"/>; the first writes of the reply tell its result. Fed by <see cref="CallInputProtocol"/>
/// and <see cref="CallOutputProtocol"/>, so the generated processor needs no change and no extra pass over the data.
/// </summary>
/// <remarks>
/// A reply is a Reply or Exception message. An Exception message holds a TApplicationException struct (field 1 the
/// text, field 2 the type as i32). A Reply holds the result struct of the method: field 0 is the return value
/// (absent for void), fields 1.. the declared exceptions, of which exactly one is written, as a struct whose name is
/// the exception's IDL name.
/// </remarks>
internal sealed class CallTracker(ConnectionInfo connection, IConnectionReporter reporter)
{
    private enum ReplyState
    {
        /// <summary>Nothing to learn from further writes.</summary>
        Done,
        ResultStruct,
        FirstResultField,
        ExceptionStruct,
        ApplicationExceptionTypeField,
        ApplicationExceptionTypeValue,
    }

    private ReplyState _state;
    private string? _exceptionFieldName;

    /// <summary>The call whose header was read since <see cref="Reset"/>, or null.</summary>
    public ThriftCall? Call { get; private set; }

    /// <summary>The type of the TApplicationException the reply carried, if it was one.</summary>
    public TApplicationException.ExceptionType? ApplicationExceptionType { get; private set; }

    public void Reset()
    {
        Call = null;
        ApplicationExceptionType = null;
        _exceptionFieldName = null;
        _state = ReplyState.Done;
    }

    public void OnMessageRead(TMessage message)
    {
        Call = new ThriftCall
        {
            // What logs, hooks and the access log show; dispatch uses the header itself.
            Method = LogText.Printable(message.Name),
            SeqId = message.SeqID,
            IsOneway = message.Type == TMessageType.Oneway,
            Connection = connection,
            StartTimestamp = Stopwatch.GetTimestamp(),
        };
        reporter.CallStarted(Call);
    }

    public void OnMessageWrite(TMessage message)
    {
        if (Call is null)
            return;
        if (message.Type == TMessageType.Exception)
        {
            Call.Result = ThriftCall.ResultApplicationException;
            _state = ReplyState.ApplicationExceptionTypeField;
        }
        else
        {
            _state = ReplyState.ResultStruct;
        }
    }

    public void OnStructWrite(TStruct @struct)
    {
        switch (_state)
        {
            case ReplyState.ResultStruct:
                _state = ReplyState.FirstResultField;
                break;
            case ReplyState.ExceptionStruct:
                Call!.Result = @struct.Name;
                _state = ReplyState.Done;
                break;
        }
    }

    public void OnFieldWrite(TField field)
    {
        switch (_state)
        {
            case ReplyState.FirstResultField when field.ID == 0:
                Call!.Result = ThriftCall.ResultOk;
                _state = ReplyState.Done;
                break;
            case ReplyState.FirstResultField:
                _exceptionFieldName = field.Name;
                _state = ReplyState.ExceptionStruct;
                break;
            case ReplyState.ApplicationExceptionTypeField when field.ID == 2 && field.Type == TType.I32:
                _state = ReplyState.ApplicationExceptionTypeValue;
                break;
        }
    }

    public void OnFieldStopWrite()
    {
        // A void method's result struct has no field at all.
        if (_state == ReplyState.FirstResultField)
        {
            Call!.Result = ThriftCall.ResultOk;
            _state = ReplyState.Done;
        }
    }

    public void OnI32Write(int value)
    {
        if (_state == ReplyState.ApplicationExceptionTypeValue)
        {
            ApplicationExceptionType = (TApplicationException.ExceptionType)value;
            _state = ReplyState.Done;
        }
    }

    /// <summary>
    /// The result of a call the processor finished without a transport failure: what the reply said, "ok" for a
    /// oneway call (which has no reply), or the declared exception's field name if its struct name was not seen.
    /// </summary>
    public string FinishedResult(ThriftCall call) => call.Result ?? _exceptionFieldName ?? ThriftCall.ResultOk;
}
