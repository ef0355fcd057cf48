using System.Globalization;

namespace Tunicorn.Registry;

/// <summary>One address a master serves on, as it is announced (the advertised host for a 0.0.0.0 or :: bind).</summary>
/// <param name="Host">The host clients should connect to.</param>
/// <param name="Port">The TCP port.</param>
/// <param name="Bind">The listener it comes from, e.g. "0.0.0.0:9090".</param>
public sealed record ServiceEndpoint(string Host, int Port, string Bind)
{
    /// <summary>
    /// The TCP listeners ("127.0.0.1:9090", "[::1]:9090") as endpoints; a wildcard address is replaced by
    /// <paramref name="advertiseHost"/> (or this machine's host name). Unix sockets are not announced.
    /// </summary>
    public static IReadOnlyList<ServiceEndpoint> FromListeners(IEnumerable<string> listenerNames, string? advertiseHost)
    {
        var endpoints = new List<ServiceEndpoint>();
        foreach (string name in listenerNames)
        {
            if (name.StartsWith("unix:", StringComparison.Ordinal))
                continue;
            int colon = name.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(name.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
                continue;
            string host = name[..colon].Trim('[', ']');
            if (host is "0.0.0.0" or "::" or "")
                host = advertiseHost ?? System.Net.Dns.GetHostName();
            endpoints.Add(new ServiceEndpoint(host, port, name));
        }
        return endpoints;
    }
}
