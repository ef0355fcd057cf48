using Tunicorn.Client.Discovery;

namespace Tunicorn.Client;

/// <summary>
/// The call's deadline passed (<see cref="CallFailureReason.DeadlinePassed"/>). The client enforces it whatever the
/// caller's code does with the token it gets: at the deadline the call's connection is closed and never reused.
/// <see cref="CallFailedException.RequestSent"/> tells whether the server may have received the call (and may still
/// run it): false when the time ran out connecting.
/// </summary>
public sealed class CallTimeoutException : CallFailedException
{
    public CallTimeoutException(string message, ServiceInstance? server, bool requestSent, Exception? innerException = null)
        : base(message, CallFailureReason.DeadlinePassed, server, requestSent, innerException)
    {
    }
}
