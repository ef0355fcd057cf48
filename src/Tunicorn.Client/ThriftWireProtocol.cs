namespace Tunicorn.Client;

/// <summary>The Thrift protocol a client speaks (the server's thrift_protocol_factory).</summary>
public enum ThriftWireProtocol
{
    Binary,
    Compact,
    Json,
}
