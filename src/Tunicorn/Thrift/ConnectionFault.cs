using System.Net.Sockets;
using System.Text;
using Thrift;
using Thrift.Protocol;
using Thrift.Transport;

namespace Tunicorn.Thrift;

/// <summary>A classified connection failure with a reason an operator can read without the stack trace.</summary>
internal readonly record struct ConnectionFault(ConnectionFaultKind Kind, string Reason)
{
    public bool IsDecodeError => Kind is ConnectionFaultKind.BadInput or ConnectionFaultKind.LimitExceeded;

    public string CallResult => Kind switch
    {
        ConnectionFaultKind.BadInput or ConnectionFaultKind.LimitExceeded => ThriftCall.ResultProtocolError,
        ConnectionFaultKind.Aborted => ThriftCall.ResultAborted,
        _ => ThriftCall.ResultTransportError,
    };

    public static ConnectionFault Classify(Exception error, TConfiguration configuration, CancellationToken abort)
    {
        ConnectionFault fault = ClassifyRaw(error, configuration, abort);
        // Parser messages quote the bytes they choked on, which the client chose.
        return fault with { Reason = LogText.Printable(fault.Reason) };
    }

    private static ConnectionFault ClassifyRaw(Exception error, TConfiguration configuration, CancellationToken abort)
    {
        if (abort.IsCancellationRequested && error is OperationCanceledException or ObjectDisposedException
            || error is TTransportException { Type: TTransportException.ExceptionType.Interrupted })
            return new(ConnectionFaultKind.Aborted, "aborted by the worker");

        return error switch
        {
            TTransportException { Type: TTransportException.ExceptionType.TimedOut } e => new(ConnectionFaultKind.TimedOut, e.Message),
            TTransportException { Type: TTransportException.ExceptionType.MessageSizeLimit } e => new(ConnectionFaultKind.LimitExceeded,
                // ApacheThrift's own checks (JSON strings) say only "MaxMessageSize reached" or similar: add the limit.
                e.Message.Contains("max message size", StringComparison.Ordinal) || e.Message.Contains("max frame size", StringComparison.Ordinal)
                    ? e.Message
                    : $"{e.Message} (max message size {configuration.MaxMessageSize} bytes)"),
            TTransportException { Type: TTransportException.ExceptionType.EndOfFile } e => new(ConnectionFaultKind.PeerGone, e.Message),
            TTransportException { InnerException: SocketException } e => new(ConnectionFaultKind.PeerGone, e.Message),
            TProtocolException e when e.GetExceptionType() == TProtocolException.DEPTH_LIMIT => new(ConnectionFaultKind.LimitExceeded,
                $"structs, lists, sets or maps nested deeper than the recursion limit of {configuration.RecursionLimit}"),
            TProtocolException e when e.GetExceptionType() == TProtocolException.SIZE_LIMIT => new(ConnectionFaultKind.LimitExceeded,
                Describe(e)),
            TProtocolException e => new(ConnectionFaultKind.BadInput, Describe(e)),
            // What ApacheThrift's protocols let through from .NET parsers on malformed input.
            FormatException or OverflowException or InvalidDataException or DecoderFallbackException or EndOfStreamException =>
                new(ConnectionFaultKind.BadInput, $"{error.GetType().Name}: {error.Message}"),
            // TCompactProtocol passes a varint length that overflowed to a negative int straight to Encoding.GetString
            // (found by tests/fuzz); only such exceptions from inside the decoders are the client's fault.
            ArgumentException when ThrownByThriftProtocol(error) =>
                new(ConnectionFaultKind.BadInput, $"malformed length or value ({error.GetType().Name}: {error.Message})"),
            SocketException e => new(ConnectionFaultKind.PeerGone, $"socket error {e.SocketErrorCode}"),
            IOException { InnerException: SocketException e } => new(ConnectionFaultKind.PeerGone, $"socket error {e.SocketErrorCode}"),
            _ => new(ConnectionFaultKind.Unexpected, $"{error.GetType().Name}: {error.Message}"),
        };
    }

    // DiagnosticMethodInfo, unlike StackFrame.GetMethod, needs no reflection metadata: it works in trimmed and NativeAOT programs.
    private static bool ThrownByThriftProtocol(Exception error) =>
        new System.Diagnostics.StackTrace(error, fNeedFileInfo: false).GetFrames()
            .Any(frame => InThriftProtocolNamespace(System.Diagnostics.DiagnosticMethodInfo.Create(frame)?.DeclaringTypeName));

    /// <summary>True for <c>Thrift.Protocol.TCompactProtocol</c> (and its nested types), not for <c>Thrift.Protocol.Entities.TField</c>.</summary>
    private static bool InThriftProtocolNamespace(string? typeName)
    {
        const string Namespace = "Thrift.Protocol.";
        if (typeName is null || !typeName.StartsWith(Namespace, StringComparison.Ordinal))
            return false;
        ReadOnlySpan<char> name = typeName.AsSpan(Namespace.Length);
        int end = name.IndexOfAny('+', '`', '[');
        return !(end < 0 ? name : name[..end]).Contains('.');
    }

    private static string Describe(TProtocolException e)
    {
        string kind = e.GetExceptionType() switch
        {
            TProtocolException.INVALID_DATA => "invalid data",
            TProtocolException.NEGATIVE_SIZE => "negative size",
            TProtocolException.SIZE_LIMIT => "size limit",
            TProtocolException.BAD_VERSION => "bad version",
            TProtocolException.NOT_IMPLEMENTED => "not implemented",
            TProtocolException.DEPTH_LIMIT => "depth limit",
            _ => "protocol error",
        };
        return string.IsNullOrEmpty(e.Message) ? kind : $"{kind}: {e.Message}";
    }
}
