namespace Tunicorn.Config;

/// <summary>Which Thrift protocol a server speaks.</summary>
public enum ThriftProtocolKind
{
    Binary,
    Compact,
    Json,
    /// <summary>Detected per connection from its first bytes.</summary>
    Auto,
}
