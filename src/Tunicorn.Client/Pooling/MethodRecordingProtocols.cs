using Thrift.Protocol;
using Thrift.Protocol.Entities;
using Thrift.Transport;

namespace Tunicorn.Client.Pooling;

/// <summary>
/// The three wire protocols, each noting the name of every message it writes in a <see cref="WrittenMethod"/>: the
/// method a call made, for its metrics and span. Subclasses rather than a TProtocolDecorator, whose async forwarding of
/// every field would cost each call far more than one field write per message.
/// </summary>
internal static class MethodRecordingProtocols
{
    public static TProtocol Create(ThriftWireProtocol protocol, TTransport transport, WrittenMethod written) => protocol switch
    {
        ThriftWireProtocol.Compact => new Compact(transport, written),
        ThriftWireProtocol.Json => new Json(transport, written),
        _ => new Binary(transport, written),
    };

    private sealed class Binary(TTransport transport, WrittenMethod written) : TBinaryProtocol(transport)
    {
        public override Task WriteMessageBeginAsync(TMessage message, CancellationToken cancellationToken)
        {
            written.Record(message.Name);
            return base.WriteMessageBeginAsync(message, cancellationToken);
        }
    }

    private sealed class Compact(TTransport transport, WrittenMethod written) : TCompactProtocol(transport)
    {
        public override Task WriteMessageBeginAsync(TMessage message, CancellationToken cancellationToken)
        {
            written.Record(message.Name);
            return base.WriteMessageBeginAsync(message, cancellationToken);
        }
    }

    private sealed class Json(TTransport transport, WrittenMethod written) : TJsonProtocol(transport)
    {
        public override Task WriteMessageBeginAsync(TMessage message, CancellationToken cancellationToken)
        {
            written.Record(message.Name);
            return base.WriteMessageBeginAsync(message, cancellationToken);
        }
    }
}
