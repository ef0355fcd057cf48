namespace Tunicorn.Thrift;

/// <summary>Why a connection failed, sorted by who caused it: each kind has its own log level and call result.</summary>
internal enum ConnectionFaultKind
{
    /// <summary>The peer closed or reset the connection: Debug, a client hang-up.</summary>
    PeerGone,
    /// <summary>The peer stalled in the middle of a message past thrift_client_timeout: Warning.</summary>
    TimedOut,
    /// <summary>Bytes that are not valid Thrift in the configured protocol and transport: Warning, decode error.</summary>
    BadInput,
    /// <summary>A message over max message size, frame size or recursion limit: Warning, decode error.</summary>
    LimitExceeded,
    /// <summary>The worker aborted the connection: Debug.</summary>
    Aborted,
    /// <summary>Anything else is our fault or the environment's: Error.</summary>
    Unexpected,
}
