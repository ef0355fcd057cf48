namespace Tunicorn.Config;

/// <summary>Which Thrift transport (framing) a server speaks.</summary>
public enum ThriftTransportKind
{
    Buffered,
    Framed,
}
