namespace Tunicorn.Client;

/// <summary>
/// The call's deadline passed. <see cref="RequestSent"/> tells whether the server may have received the call (and
/// may still run it): false when the time ran out waiting for a server or a connection.
/// </summary>
public sealed class CallTimeoutException : TimeoutException
{
    public CallTimeoutException(string message, bool requestSent, Exception? inner = null)
        : base(message, inner)
    {
        RequestSent = requestSent;
    }

    public bool RequestSent { get; }
}
