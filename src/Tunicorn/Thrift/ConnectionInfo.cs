namespace Tunicorn.Thrift;

/// <summary>A client connection as hooks and logs see it.</summary>
public sealed class ConnectionInfo
{
    public required long Id { get; init; }
    /// <summary>"127.0.0.1:53122", "[::1]:53122" or "unix:/path" (peer of a Unix socket has no name).</summary>
    public required string Peer { get; init; }
    public required string LocalEndPoint { get; init; }
    public int CallsServed { get; set; }
}
