using System.Diagnostics;

namespace Tunicorn.Thrift;

/// <summary>
/// One Thrift call as the server saw it: created when the message header has been read, completed when the
/// reply has been flushed (or, for oneway, when the handler returned). Hooks and the access log receive it.
/// </summary>
/// <remarks>STUB surface: owned by the Thrift helper.</remarks>
public sealed class ThriftCall
{
    public required string Method { get; init; }
    public required int SeqId { get; init; }
    public required bool IsOneway { get; init; }
    public required ConnectionInfo Connection { get; init; }
    /// <summary><see cref="Stopwatch.GetTimestamp"/> when the header was read.</summary>
    public required long StartTimestamp { get; init; }
    /// <summary>"ok", the declared exception's type name, "TApplicationException", or "transport error".</summary>
    public string? Result { get; set; }
    public TimeSpan Duration { get; set; }
}
