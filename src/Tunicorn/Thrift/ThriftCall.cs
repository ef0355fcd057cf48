using System.Diagnostics;

namespace Tunicorn.Thrift;

/// <summary>
/// One Thrift call as the server saw it: created when the message header has been read, completed when the
/// reply has been flushed (or, for oneway, when the handler returned). Hooks and the access log receive it.
/// </summary>
public sealed class ThriftCall
{
    /// <summary>The reply carried the declared return value (or the call was oneway, or the method returns void).</summary>
    public const string ResultOk = "ok";

    /// <summary>
    /// The reply was a TApplicationException: an unknown method, or a handler that threw an exception the IDL
    /// does not declare (the generated processor logs it and answers INTERNAL_ERROR).
    /// </summary>
    public const string ResultApplicationException = "TApplicationException";

    /// <summary>The connection failed during the call (peer gone, I/O timeout): no reply, or not all of it, was sent.</summary>
    public const string ResultTransportError = "transport error";

    /// <summary>The call's arguments were not valid Thrift or hit a limit: no reply was sent and the connection was closed.</summary>
    public const string ResultProtocolError = "protocol error";

    /// <summary>The worker aborted (quick stop, graceful timeout expired) while the call was in flight.</summary>
    public const string ResultAborted = "aborted";

    public required string Method { get; init; }
    public required int SeqId { get; init; }
    public required bool IsOneway { get; init; }
    public required ConnectionInfo Connection { get; init; }
    /// <summary><see cref="Stopwatch.GetTimestamp"/> when the header was read.</summary>
    public required long StartTimestamp { get; init; }

    /// <summary>
    /// Null while the call is in flight; then <see cref="ResultOk"/>, the declared exception's struct name (e.g.
    /// "InvalidOperation"), <see cref="ResultApplicationException"/>, <see cref="ResultTransportError"/>,
    /// <see cref="ResultProtocolError"/> or <see cref="ResultAborted"/>.
    /// </summary>
    public string? Result { get; set; }

    public TimeSpan Duration { get; set; }

    /// <summary>Bytes of the call's message as read from the socket (framing included), for the metrics.</summary>
    internal long RequestBytes { get; set; }

    /// <summary>Bytes of the reply as written to the socket (framing included); 0 for oneway and failed calls.</summary>
    internal long ResponseBytes { get; set; }
}
