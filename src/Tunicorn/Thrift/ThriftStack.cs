using System.Net.Sockets;
using Thrift.Protocol;
using Thrift.Transport;
using Tunicorn.Config;

namespace Tunicorn.Thrift;

/// <summary>
/// The transports and protocols of one server connection, and the one place where the settings' names
/// (<see cref="ThriftTransportKind"/>, <see cref="ThriftProtocolKind"/>) become Thrift layers.
/// </summary>
internal sealed class ThriftStack : IDisposable
{
    private ThriftStack(SocketTransport endpoint, TProtocol input, TProtocol output)
    {
        Endpoint = endpoint;
        Input = input;
        Output = output;
    }

    /// <summary>The socket end of the stack: the connection loop waits for calls here.</summary>
    public SocketTransport Endpoint { get; }
    public TProtocol Input { get; }
    public TProtocol Output { get; }

    public static ThriftStack Create(Socket socket, ThriftConnectionOptions options, CallTracker tracker, CancellationToken abort)
    {
        var endpoint = new SocketTransport(socket, options.Configuration, options.IdleTimeout, abort);
        TTransport transport = CreateTransport(endpoint, options.Transport);
        // Two protocol instances: compact and JSON keep per-direction state (field ids, JSON contexts).
        return new ThriftStack(
            endpoint,
            new CallInputProtocol(CreateProtocol(transport, options.Protocol), tracker),
            new CallOutputProtocol(CreateProtocol(transport, options.Protocol), tracker));
    }

    /// <summary>"buffered" is the endpoint itself, which buffers: the bytes are the same as TBufferedTransport's.</summary>
    public static TTransport CreateTransport(SocketTransport endpoint, ThriftTransportKind kind) => kind switch
    {
        ThriftTransportKind.Buffered => endpoint,
        ThriftTransportKind.Framed => new FramedTransport(endpoint),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown Thrift transport"),
    };

    public static TProtocol CreateProtocol(TTransport transport, ThriftProtocolKind kind) => kind switch
    {
        // Strict read rejects messages without a version header: only pre-2008 clients send them, and without
        // the check a framed client talking to a buffered server has its frame length read as a method name.
        ThriftProtocolKind.Binary => new TBinaryProtocol(transport, strictRead: true, strictWrite: true),
        ThriftProtocolKind.Compact => new TCompactProtocol(transport),
        ThriftProtocolKind.Json => new TJsonProtocol(transport),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown Thrift protocol"),
    };

    public void Dispose()
    {
        // Not the protocols: disposing a protocol disposes its transport, and both share one.
        Endpoint.Dispose();
    }
}
