using System.Net.Sockets;
using Thrift;
using Thrift.Protocol;
using Thrift.Transport;
using Tunicorn.Client.Discovery;

namespace Tunicorn.Client;

/// <summary>Turns what a failed call threw (the socket's, the transport's or Thrift's exception) into a <see cref="CallFailedException"/>.</summary>
internal static class CallFailures
{
    /// <summary>
    /// The <see cref="CallFailedException"/> for <paramref name="error"/> thrown by a call on a connection to
    /// <paramref name="server"/>; null when the error did not come from the connection (the caller's own code threw),
    /// which then reaches the caller as it is.
    /// </summary>
    public static CallFailedException? Wrap(Exception error, ServiceInstance server, string wireFormat, bool freshConnection)
    {
        if (Classify(error) is not { } reason)
            return null;
        string? announced = AnnouncedMismatch(server, wireFormat);
        if (announced is not null && reason is CallFailureReason.ConnectionClosed or CallFailureReason.ProtocolMismatch)
        {
            return new CallFailedException($"call to {server.Address} failed: the server announces {announced}, this client speaks {wireFormat} " +
                $"(set TunicornClientOptions.Protocol/Transport to match, or leave them null): {error.Message}",
                CallFailureReason.ProtocolMismatch, server, requestSent: true, error);
        }
        string why = reason switch
        {
            CallFailureReason.ConnectionClosed or CallFailureReason.ConnectionReset when freshConnection =>
                "the server dropped a new connection on its first request without answering: its worker died under the call, " +
                $"or it does not speak {wireFormat}, which this client sent (check its thrift_protocol_factory and thrift_transport_factory)",
            CallFailureReason.ConnectionClosed => "the server closed the connection without answering (its worker stopped, or it refused the request)",
            CallFailureReason.ConnectionReset => "the connection broke (the server's process most likely died)",
            _ => $"the answer is not Thrift {wireFormat} as this client reads it, or is out of step",
        };
        return new CallFailedException($"call to {server.Address} failed: {why}: {error.Message}", reason, server, requestSent: true, error);
    }

    private static CallFailureReason? Classify(Exception error) => error switch
    {
        TProtocolException => CallFailureReason.ProtocolMismatch,
        // Only the out-of-step kinds get here: the others are the server's answer.
        TApplicationException => CallFailureReason.ProtocolMismatch,
        TTransportException { InnerException: { } inner } => Classify(inner) ?? CallFailureReason.ConnectionReset,
        TTransportException { Type: TTransportException.ExceptionType.EndOfFile or TTransportException.ExceptionType.NotOpen } => CallFailureReason.ConnectionClosed,
        TTransportException => CallFailureReason.ConnectionReset,
        IOException { InnerException: SocketException } or SocketException => CallFailureReason.ConnectionReset,
        IOException => CallFailureReason.ConnectionReset,
        // The connection was closed under the call (the client closes it at the deadline or on dispose).
        ObjectDisposedException => CallFailureReason.ConnectionClosed,
        _ => null,
    };

    /// <summary>What the server announces, when that differs from what this client speaks ("compact/framed"); null when it matches or says nothing.</summary>
    private static string? AnnouncedMismatch(ServiceInstance server, string wireFormat)
    {
        string[] ours = wireFormat.Split('/');
        bool protocolDiffers = Differs(server.Protocol, ours[0]);
        bool transportDiffers = Differs(server.Transport, ours[1]);
        return protocolDiffers || transportDiffers ? $"{server.Protocol ?? ours[0]}/{server.Transport ?? ours[1]}" : null;
    }

    private static bool Differs(string? announced, string ours) =>
        !string.IsNullOrEmpty(announced) && !announced.Equals("auto", StringComparison.OrdinalIgnoreCase)
        && !announced.Equals(ours, StringComparison.OrdinalIgnoreCase);
}
