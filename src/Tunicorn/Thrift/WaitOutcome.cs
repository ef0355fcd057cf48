namespace Tunicorn.Thrift;

/// <summary>How waiting for the next call on a connection ended.</summary>
internal enum WaitOutcome
{
    /// <summary>The first byte of a call is buffered.</summary>
    CallArrived,
    PeerClosed,
    IdleTimeout,
    Stopping,
    Aborted,
}
