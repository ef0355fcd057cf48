using System.Net.Sockets;
using Thrift.Transport;

namespace Tunicorn.IO;

/// <summary>Socket errors as the Thrift layer reports them: the same kinds and words whichever engine met them.</summary>
internal static class SocketFailures
{
    /// <summary>
    /// A peer that went away is EndOfFile (logged at debug as a client hang-up); any other socket error is Unknown,
    /// with the error's name.
    /// </summary>
    public static TTransportException From(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.NotConnected =>
            new TTransportException(TTransportException.ExceptionType.EndOfFile, $"connection reset by the peer ({e.SocketErrorCode})", e),
        _ => new TTransportException(TTransportException.ExceptionType.Unknown, $"socket error {e.SocketErrorCode}: {e.Message}", e),
    };

    /// <summary>For an exception that is no socket error, which a socket engine does not throw: the connection is unusable.</summary>
    public static TTransportException Closed(Exception? inner = null) =>
        new(TTransportException.ExceptionType.NotOpen, "the connection is closed", inner);
}
