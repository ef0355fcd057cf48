using System.Net;

namespace Tunicorn.Thrift.ProxyProtocol;

/// <summary>
/// What a PROXY protocol header (HAProxy's, version 1 or 2) said about the connection it came first on.
/// </summary>
/// <param name="Version">1 (text) or 2 (binary).</param>
/// <param name="Length">Bytes of the header on the wire, CRLF or TLVs included.</param>
/// <param name="Source">
/// The client the proxy accepted, or null when the header carries no address to use: v1 <c>UNKNOWN</c>, v2
/// <c>LOCAL</c> (the proxy's own health check), v2 <c>AF_UNSPEC</c> or <c>AF_UNIX</c>. The spec tells the receiver
/// to use the connection's real endpoints then.
/// </param>
/// <param name="Destination">The address the client connected to at the proxy, or null with <paramref name="Source"/>.</param>
internal sealed record ProxyHeader(int Version, int Length, IPEndPoint? Source, IPEndPoint? Destination)
{
    /// <summary>Longest version 1 header, CRLF included: the spec's own bound (TCP6 with the longest addresses).</summary>
    public const int MaxVersion1Length = 107;

    /// <summary>The fixed part of a version 2 header: signature, version and command, family, length.</summary>
    public const int Version2FixedLength = 16;

    /// <summary>
    /// Longest version 2 header accepted, TLVs included. The length field allows 16 + 65535 bytes, but the addresses
    /// take at most 216 and the TLVs HAProxy and the cloud load balancers send (ALPN, authority, unique id, SSL
    /// details, VPC endpoint ids) a few hundred more; a larger header is refused rather than buffered.
    /// </summary>
    public const int MaxVersion2Length = 4096;
}
