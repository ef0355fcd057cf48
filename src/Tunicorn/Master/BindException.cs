namespace Tunicorn.Master;

/// <summary>
/// A listening address could not be bound. The message is one line naming the bind setting, the address and the
/// reason; <see cref="InUse"/> says another socket holds the address, which start-up retries as gunicorn does.
/// </summary>
internal sealed class BindException(string bind, string reason, bool inUse = false, Exception? inner = null)
    : IOException($"bind: cannot listen on {bind}: {reason}", inner)
{
    public string Bind { get; } = bind;

    public bool InUse { get; } = inUse;
}
