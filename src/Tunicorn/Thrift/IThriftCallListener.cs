namespace Tunicorn.Thrift;

/// <summary>
/// What the connection loop tells its worker. Called inline on the connection's path, so implementations
/// must be cheap and must not throw (the worker wraps user hooks in its HookRunner).
/// </summary>
internal interface IThriftCallListener
{
    void OnConnected(ConnectionInfo connection);
    /// <summary>The message header was read: the call is in flight from here until <see cref="OnCallCompleted"/>.</summary>
    void OnCallStarted(ThriftCall call);
    void OnCallCompleted(ThriftCall call);
    /// <summary>Bad input (protocol violation, limit hit): the connection is closed after this.</summary>
    void OnDecodeError(ConnectionInfo connection, Exception error);
    void OnClosed(ConnectionInfo connection, string reason);
}
