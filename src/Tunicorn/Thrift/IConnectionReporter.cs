namespace Tunicorn.Thrift;

/// <summary>
/// What a <see cref="ThriftConnection"/> tells the worker that serves it: that it opened, each call it starts and
/// completes, bad input, and that it closed. Called inline on the connection's path, so implementations must be cheap
/// and must not throw (the worker wraps user hooks in its HookRunner).
/// </summary>
/// <remarks>
/// Order, per connection: <see cref="Opened"/> first (after a PROXY header, so the peer is the client's), then
/// <see cref="CallStarted"/> and <see cref="CallCompleted"/> for each call, <see cref="BadInput"/> at most once, and
/// <see cref="Closed"/> last, after the socket is closed. Every call reported started is reported completed,
/// whatever happened to the connection. A connection refused before <see cref="Opened"/> reports nothing.
/// </remarks>
internal interface IConnectionReporter
{
    void Opened(ConnectionInfo connection);

    /// <summary>The protocol and transport the connection speaks are known (the first call arrived); at most once.</summary>
    void Detected(ConnectionInfo connection, Config.ThriftProtocolKind protocol, Config.ThriftTransportKind transport)
    {
    }

    /// <summary>The message header was read: the call is in flight from here until <see cref="CallCompleted"/>.</summary>
    void CallStarted(ThriftCall call);

    /// <summary>The reply was flushed, or the call failed; <see cref="ThriftCall.Result"/> says which.</summary>
    void CallCompleted(ThriftCall call);

    /// <summary>A protocol violation or a limit hit: the connection is closed after this.</summary>
    void BadInput(ConnectionInfo connection, Exception error);

    /// <summary>The socket is closed; <paramref name="reason"/> is why, in a few words ("peer closed", "idle timeout", "bad input: …").</summary>
    void Closed(ConnectionInfo connection, string reason);
}
