using System.Net;

namespace Tunicorn.Client.Discovery;

/// <summary>What <see cref="DnsDiscovery"/> makes of DNS answers: the server set, in a stable order, and the name servers to ask.</summary>
internal static class DnsRecords
{
    /// <summary>One server per distinct address, all on <paramref name="port"/>, ordered by address.</summary>
    public static IReadOnlyList<ServiceInstance> FromAddresses(IEnumerable<IPAddress> addresses, int port) =>
        [.. addresses.Distinct().Select(a => Instance(a, port, weight: 1)).OrderBy(s => s.Id, StringComparer.Ordinal)];

    /// <summary>
    /// One server per distinct address and port of the targets. SRV's priority becomes the client's weight 0 for
    /// backups: targets of the lowest priority get the calls (their SRV weight, at least 1, as the balancing weight),
    /// the others (weight 0) only while none of those is usable. A target with no address is left out.
    /// </summary>
    public static IReadOnlyList<ServiceInstance> FromSrv(IEnumerable<DnsSrvTarget> targets)
    {
        var usable = targets.Where(t => t.Addresses.Count > 0 && t.Port is > 0 and <= 65535).ToList();
        if (usable.Count == 0)
            return [];
        int preferred = usable.Min(t => t.Priority);
        return [.. usable
            .SelectMany(t => t.Addresses.Select(a => (Address: a, Target: t)))
            .GroupBy(x => (x.Address, x.Target.Port))
            // One address named by several records counts once, as its most preferred record says.
            .Select(g => g.OrderBy(x => x.Target.Priority).ThenByDescending(x => x.Target.Weight).First())
            .Select(x => Instance(x.Address, x.Target.Port, x.Target.Priority == preferred ? Math.Max(1, x.Target.Weight) : 0))
            .OrderBy(s => s.Id, StringComparer.Ordinal)];
    }

    /// <summary>True when both sets hold the same servers with the same weights (both ordered by id).</summary>
    public static bool SameSet(IReadOnlyList<ServiceInstance> a, IReadOnlyList<ServiceInstance> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Id == p.Second.Id && p.First.Weight == p.Second.Weight);

    /// <summary>"IP" or "IP:PORT" or "[IPV6]:PORT" as a name server's end point (port 53 when none is given).</summary>
    public static IPEndPoint ParseNameServer(string text)
    {
        // IPAddress.TryParse also takes "[::1]:5353", dropping the port: a port is there when brackets or one colon say so.
        bool hasPort = text.StartsWith('[') || text.Count(c => c == ':') == 1;
        if (hasPort && IPEndPoint.TryParse(text, out var endPoint) && endPoint.Port != 0)
            return endPoint;
        if (!hasPort && IPAddress.TryParse(text, out var bare))
            return new IPEndPoint(bare, 53);
        throw new FormatException($"name server '{text}' is not IP, IP:PORT or [IPV6]:PORT (a name server is given by address)");
    }

    /// <summary>"a.b.c." as "a.b.c": DNS names end with the root's dot, host names do not.</summary>
    public static string HostName(string dnsName) => dnsName.TrimEnd('.');

    private static ServiceInstance Instance(IPAddress address, int port, int weight)
    {
        var instance = new ServiceInstance("", address.ToString(), port) { Weight = weight };
        return instance with { Id = instance.Address };
    }

    internal static string Describe(IPEndPoint endPoint) =>
        endPoint.Port == 53 ? endPoint.Address.ToString() : endPoint.ToString();
}
