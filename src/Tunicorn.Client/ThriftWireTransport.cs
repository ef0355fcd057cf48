namespace Tunicorn.Client;

/// <summary>The Thrift transport (framing) a client speaks (the server's thrift_transport_factory).</summary>
public enum ThriftWireTransport
{
    Buffered,
    Framed,
}
