using Thrift.Protocol;
using Thrift.Transport;
using Tunicorn.Config;

namespace Tunicorn.Thrift;

/// <summary>
/// The transports and protocols of one server connection, and the one place where the settings' names
/// (<see cref="ThriftTransportKind"/>, <see cref="ThriftProtocolKind"/>) become Thrift layers.
/// </summary>
/// <remarks>The stack does not own the endpoint: the connection creates it before the stack (TLS, auto detection) and disposes it.</remarks>
internal sealed class ThriftStack
{
    private ThriftStack(ThriftProtocolKind protocol, ThriftTransportKind transport, CallInputProtocol input, TProtocol output)
    {
        Protocol = protocol;
        Transport = transport;
        Input = input;
        Output = output;
    }

    /// <summary>The protocol spoken, never <see cref="ThriftProtocolKind.Auto"/>.</summary>
    public ThriftProtocolKind Protocol { get; }
    /// <summary>The transport used, never <see cref="ThriftTransportKind.Auto"/>.</summary>
    public ThriftTransportKind Transport { get; }
    public CallInputProtocol Input { get; }
    public TProtocol Output { get; }

    /// <summary>
    /// The stack for <paramref name="endpoint"/> in <paramref name="format"/>: the one the options name, or, when they
    /// say <c>auto</c>, the one <see cref="WireFormat.DetectAsync"/> found in the connection's first bytes.
    /// </summary>
    public static ThriftStack Create(SocketTransport endpoint, (ThriftProtocolKind Protocol, ThriftTransportKind Transport) format,
        CallTracker tracker, MessageMemoryAccount memory)
    {
        TTransport transport = CreateTransport(endpoint, format.Transport);
        // Two protocol instances: compact and JSON keep per-direction state (field ids, JSON contexts).
        return new ThriftStack(
            format.Protocol,
            format.Transport,
            new CallInputProtocol(CreateProtocol(transport, format.Protocol), tracker, memory, endpoint),
            new CallOutputProtocol(CreateProtocol(transport, format.Protocol), tracker));
    }

    /// <summary>"buffered" is the endpoint itself, which buffers: the bytes are the same as TBufferedTransport's.</summary>
    public static TTransport CreateTransport(SocketTransport endpoint, ThriftTransportKind kind) => kind switch
    {
        ThriftTransportKind.Buffered => endpoint,
        ThriftTransportKind.Framed => new FramedTransport(endpoint),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown or undetected Thrift transport"),
    };

    public static TProtocol CreateProtocol(TTransport transport, ThriftProtocolKind kind) => kind switch
    {
        // Strict read rejects messages without a version header: only pre-2008 clients send them, and without
        // the check a framed client talking to a buffered server has its frame length read as a method name.
        ThriftProtocolKind.Binary => new InlineBinaryProtocol(transport),
        ThriftProtocolKind.Compact => new TCompactProtocol(transport),
        ThriftProtocolKind.Json => new TJsonProtocol(transport),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown or undetected Thrift protocol"),
    };
}
