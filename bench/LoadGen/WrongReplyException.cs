namespace Tunicorn.Bench.LoadGen;

/// <summary>A reply that is not the expected one, or an end of stream in the middle of a call.</summary>
public sealed class WrongReplyException(ErrorKind kind, string message) : Exception(message)
{
    public ErrorKind Kind { get; } = kind;
}
