namespace Tunicorn.Client;

/// <summary>
/// No server could take the call: none is registered, or every one refused the connection. The call was sent to
/// none of them, so retrying it is safe.
/// </summary>
public sealed class NoServerAvailableException : Exception
{
    public NoServerAvailableException(string message, Exception? lastError = null)
        : base(message, lastError)
    {
    }
}
