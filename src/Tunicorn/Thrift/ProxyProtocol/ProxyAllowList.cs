using System.Net;
using System.Net.Sockets;

namespace Tunicorn.Thrift.ProxyProtocol;

/// <summary>
/// The peers whose connections must start with a PROXY header (proxy_allow_ips): addresses, CIDR networks, or "*"
/// for every peer. Only these are believed: anyone else could write a header naming any client.
/// </summary>
/// <remarks>
/// A peer of a Unix socket is always allowed, as in gunicorn (its check applies to IP peers only): only local
/// processes that may open the socket file can connect, and a proxy on the same machine is the usual one.
/// </remarks>
internal sealed class ProxyAllowList
{
    /// <summary>gunicorn's default: the proxy runs on the same machine.</summary>
    public static readonly IReadOnlyList<string> Default = ["127.0.0.1", "::1"];

    private readonly IPNetwork[] _networks;
    private readonly bool _everyone;

    /// <exception cref="FormatException">An entry is none of "*", an IP address or a CIDR network.</exception>
    public ProxyAllowList(IEnumerable<string> entries)
    {
        var networks = new List<IPNetwork>();
        foreach (string entry in entries)
        {
            if (ParseEntry(entry) is { } network)
                networks.Add(network);
            else
                _everyone = true;
        }
        _networks = [.. networks];
    }

    /// <summary>One entry: null for "*", else the network it names (an address is a network of one).</summary>
    /// <exception cref="FormatException">
    /// The entry is none of "*", an IP address or a CIDR network such as 10.0.0.0/8; the message says so, starting "is not".
    /// </exception>
    public static IPNetwork? ParseEntry(string entry)
    {
        string text = entry.Trim();
        if (text == "*")
            return null;
        int slash = text.IndexOf('/');
        if (slash >= 0)
        {
            // Host bits past the prefix (10.0.0.1/8) are more likely a typo than a wish for the whole network:
            // refused, as Python's ipaddress.ip_network (gunicorn's parser) refuses them.
            return PlainAddress(text[..slash]) is { } network && IPNetwork.TryParse(text, out IPNetwork parsed) && parsed.BaseAddress.Equals(network)
                ? parsed
                : throw new FormatException("is not a CIDR network (a network address whose bits past the prefix are 0, e.g. 10.0.0.0/8 or fd00::/8)");
        }
        return PlainAddress(text) is { } address
            ? new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
            : throw new FormatException("is not an IP address, a CIDR network or *");
    }

    /// <summary>A dotted-quad IPv4 or a textual IPv6 address; not the shorthands IPAddress.Parse also takes ("1", "0x7f.1").</summary>
    private static IPAddress? PlainAddress(string text)
    {
        bool ipv4 = text.Count(c => c == '.') == 3 && text.All(c => char.IsAsciiDigit(c) || c == '.');
        bool ipv6 = text.Contains(':') && text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.');
        return (ipv4 || ipv6) && IPAddress.TryParse(text, out IPAddress? address) ? address : null;
    }

    /// <summary>Whether the accepted <paramref name="socket"/> must start with a PROXY header.</summary>
    public bool Allows(Socket socket)
    {
        if (socket.AddressFamily == AddressFamily.Unix)
            return true;
        try
        {
            return Allows(socket.RemoteEndPoint);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The peer is already gone; whatever is decided, the first read reports that.
            return false;
        }
    }

    /// <summary>Whether a connection from <paramref name="peer"/> (the socket's remote end) must carry a PROXY header.</summary>
    public bool Allows(EndPoint? peer)
    {
        if (_everyone)
            return true;
        switch (peer)
        {
            case IPEndPoint ip:
                // Dual-stack listeners see IPv4 peers as ::ffff:a.b.c.d; the list names them a.b.c.d.
                IPAddress address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
                foreach (IPNetwork network in _networks)
                {
                    if (network.Contains(address))
                        return true;
                }
                return false;
            case UnixDomainSocketEndPoint:
                return true;
            default:
                return false;
        }
    }
}
