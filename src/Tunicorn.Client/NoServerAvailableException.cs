namespace Tunicorn.Client;

/// <summary>
/// No server could take the call, so it was sent to none (retrying is safe). <see cref="CallFailedException.Reason"/>
/// says why: <see cref="CallFailureReason.NoServerRegistered"/> (the registry answered, with no server),
/// <see cref="CallFailureReason.RegistryUnreachable"/> (the registry has not answered), or
/// <see cref="CallFailureReason.ConnectFailed"/> (every known server refused the connection).
/// </summary>
public sealed class NoServerAvailableException : CallFailedException
{
    public NoServerAvailableException(string message, CallFailureReason reason, Exception? lastError = null)
        : base(message, reason, server: null, requestSent: false, lastError)
    {
    }
}
