namespace Tunicorn.Bench.LoadGen;

/// <summary>Why a call or a connection failed; each kind is counted separately in the result.</summary>
public enum ErrorKind
{
    /// <summary>No complete reply within --timeout.</summary>
    Timeout,
    /// <summary>The reply differs from the expected bytes (wrong seqid, exception, wrong value, wrong frame).</summary>
    WrongReply,
    /// <summary>The server closed the connection while a call was in flight.</summary>
    Closed,
    /// <summary>Any other socket error on an established connection (reset, broken pipe).</summary>
    Socket,
    /// <summary>The connection could not be (re)established.</summary>
    Connect,
}
