using Tunicorn.Config;

namespace Tunicorn.Metrics;

/// <summary>
/// The protocol and transport a connection speaks as one small index for the boards: 0 while not detected yet
/// (before its first call under <c>auto</c>), then one per protocol and transport pair.
/// </summary>
internal static class ConnectionFormat
{
    public const int Unknown = 0;

    private static readonly ThriftProtocolKind[] Protocols = [ThriftProtocolKind.Binary, ThriftProtocolKind.Compact, ThriftProtocolKind.Json];
    private static readonly ThriftTransportKind[] Transports = [ThriftTransportKind.Buffered, ThriftTransportKind.Framed];

    public static int Count => 1 + Protocols.Length * Transports.Length;

    public static int Of(ThriftProtocolKind protocol, ThriftTransportKind transport)
    {
        int p = Array.IndexOf(Protocols, protocol);
        int t = Array.IndexOf(Transports, transport);
        return p < 0 || t < 0 ? Unknown : 1 + p * Transports.Length + t;
    }

    /// <summary>The attribute values of an index: ("binary", "framed"), or ("unknown", "unknown").</summary>
    public static (string Protocol, string Transport) Names(int format)
    {
        if (format <= Unknown || format >= Count)
            return ("unknown", "unknown");
        int i = format - 1;
        return (Protocols[i / Transports.Length].ToString().ToLowerInvariant(), Transports[i % Transports.Length].ToString().ToLowerInvariant());
    }
}
