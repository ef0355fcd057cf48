namespace Tunicorn.Config;

/// <summary>Which Thrift transport (framing) a server speaks.</summary>
public enum ThriftTransportKind
{
    Buffered,
    Framed,
    /// <summary>Detected per connection from its first bytes.</summary>
    Auto,
}
