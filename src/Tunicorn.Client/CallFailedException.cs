using Tunicorn.Client.Discovery;

namespace Tunicorn.Client;

/// <summary>
/// A call that got no answer from a server. Every failure of <see cref="TunicornClient{TClient}"/> that is not the
/// service's own answer is one of these (or <see cref="CallTimeoutException"/> or
/// <see cref="NoServerAvailableException"/>, which derive from it): <see cref="Reason"/> says why,
/// <see cref="Server"/> which server, <see cref="RequestSent"/> whether it may have run the call, and
/// <see cref="Exception.InnerException"/> holds the cause (the socket's or Thrift's exception).
/// </summary>
/// <remarks>
/// The service's answers are not wrapped: an exception the IDL declares, and a <c>TApplicationException</c> the server
/// sent (an unknown method, a handler that threw), reach the caller as the generated client throws them.
/// </remarks>
public class CallFailedException : Exception
{
    public CallFailedException(string message, CallFailureReason reason, ServiceInstance? server, bool requestSent, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
        Server = server;
        RequestSent = requestSent;
    }

    /// <summary>Why the call failed.</summary>
    public CallFailureReason Reason { get; }

    /// <summary>The server the call went to last; null when no server was reached.</summary>
    public ServiceInstance? Server { get; }

    /// <summary>
    /// Whether the request may have reached the server, which may then have run it (or still run it). False means
    /// nothing was sent: retrying is safe whatever the method does.
    /// </summary>
    public bool RequestSent { get; }
}
