using System.Net.Sockets;
using Thrift.Protocol;
using Thrift.Transport;
using Tunicorn.Client;
using Tunicorn.Client.Discovery;

namespace Tunicorn.Tests.Client;

public sealed class CallFailuresTests
{
    private static readonly ServiceInstance Server = new("s", "10.0.0.1", 9090);

    [Fact]
    public void Wrap_RemoteSideClosed_IsConnectionClosed_WithTheCauseInside()
    {
        var cause = new TTransportException(TTransportException.ExceptionType.EndOfFile, "Cannot read, Remote side has closed");

        var e = CallFailures.Wrap(cause, Server, "binary/buffered", freshConnection: false)!;

        Assert.Equal(CallFailureReason.ConnectionClosed, e.Reason);
        Assert.Same(cause, e.InnerException);
        Assert.Same(Server, e.Server);
        Assert.True(e.RequestSent);
        Assert.Contains("10.0.0.1:9090", e.Message);
    }

    [Fact]
    public void Wrap_ClosedOnTheFirstRequestOfANewConnection_SaysTheServerMayNotSpeakOurProtocol()
    {
        var e = CallFailures.Wrap(new TTransportException(TTransportException.ExceptionType.EndOfFile, "closed"), Server, "compact/framed", freshConnection: true)!;

        Assert.Equal(CallFailureReason.ConnectionClosed, e.Reason);
        Assert.Contains("or it does not speak compact/framed", e.Message);
    }

    [Fact]
    public void Wrap_Reset_IsConnectionReset()
    {
        var cause = new IOException("Unable to read data", new SocketException((int)SocketError.ConnectionReset));

        Assert.Equal(CallFailureReason.ConnectionReset, CallFailures.Wrap(cause, Server, "binary/buffered", false)!.Reason);
        Assert.Equal(CallFailureReason.ConnectionReset,
            CallFailures.Wrap(new TTransportException(TTransportException.ExceptionType.Unknown, "x", cause), Server, "binary/buffered", false)!.Reason);
    }

    [Fact]
    public void Wrap_ServerAnnouncesAnotherProtocol_IsProtocolMismatch_NamingBoth()
    {
        var announced = Server with { Protocol = "compact", Transport = "buffered" };

        var e = CallFailures.Wrap(new TTransportException(TTransportException.ExceptionType.EndOfFile, "closed"), announced, "binary/buffered", true)!;

        Assert.Equal(CallFailureReason.ProtocolMismatch, e.Reason);
        Assert.Contains("announces compact/buffered, this client speaks binary/buffered", e.Message);
    }

    [Fact]
    public void Wrap_UnreadableAnswer_IsProtocolMismatch_AndAutoMatchesAnything()
    {
        var auto = Server with { Protocol = "auto", Transport = "auto" };

        var e = CallFailures.Wrap(new TProtocolException(TProtocolException.BAD_VERSION, "Bad version in ReadMessageBegin"), auto, "binary/buffered", false)!;

        Assert.Equal(CallFailureReason.ProtocolMismatch, e.Reason);
        Assert.DoesNotContain("announces", e.Message);
    }

    [Fact]
    public void Wrap_TheCallersOwnException_IsNotWrapped() =>
        Assert.Null(CallFailures.Wrap(new ArgumentException("bad input"), Server, "binary/buffered", false));
}
