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
    /// <summary>The worker is at worker_connections and closes its longest-idle connection to admit a new one.</summary>
    Evicted,
}
