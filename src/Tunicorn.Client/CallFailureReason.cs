namespace Tunicorn.Client;

/// <summary>Why a call failed (<see cref="CallFailedException.Reason"/>): what the caller can do differs for each.</summary>
public enum CallFailureReason
{
    /// <summary>The discovery reached its registry, and no server is registered there for the service. Nothing was sent.</summary>
    NoServerRegistered,

    /// <summary>The discovery has not reached its registry (down, wrong address, refused), so no server is known. Nothing was sent.</summary>
    RegistryUnreachable,

    /// <summary>Servers are known, and none of them accepted a connection. Nothing was sent.</summary>
    ConnectFailed,

    /// <summary>The call's deadline passed (<see cref="CallTimeoutException"/>); see <see cref="CallFailedException.RequestSent"/>.</summary>
    DeadlinePassed,

    /// <summary>
    /// The server closed the connection without answering: its worker stopped or was killed while the call was in
    /// flight, or it refused the request (a protocol or transport it does not speak, a frame over its limit).
    /// </summary>
    ConnectionClosed,

    /// <summary>The connection broke (reset, broken pipe): typically the server's process died (<c>kill -9</c>, out of memory).</summary>
    ConnectionReset,

    /// <summary>
    /// The client and the server do not speak the same Thrift: the server announces another protocol or transport, its
    /// answer could not be read, or it answered out of step (wrong sequence id or method).
    /// </summary>
    ProtocolMismatch,
}
