using System.Globalization;

namespace Tunicorn.ZooKeeper.Addressing;

/// <summary>A parsed connect string: <c>host[:port][,host[:port]…][/chroot]</c>, as ZooKeeper's own clients read it.</summary>
internal sealed record ConnectString(IReadOnlyList<ServerAddress> Servers, string? Chroot)
{
    /// <summary>ZooKeeper's registered client port.</summary>
    public const int DefaultPort = 2181;

    /// <exception cref="ArgumentException">The text names no server, or a bad port, IPv6 address or chroot.</exception>
    public static ConnectString Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string hosts = text.Trim();
        string? chroot = null;
        int slash = hosts.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            chroot = hosts[slash..];
            hosts = hosts[..slash];
            if (chroot == "/")
            {
                chroot = null;
            }
            else
            {
                string? problem = ZooKeeperPath.Check(chroot, sequential: false);
                if (problem is not null)
                    throw Invalid(text, $"the chroot {problem}");
            }
        }

        var servers = new List<ServerAddress>();
        foreach (string entry in hosts.Split(','))
            servers.Add(ParseServer(text, entry.Trim()));
        return new ConnectString(servers, chroot);
    }

    private static ServerAddress ParseServer(string text, string entry)
    {
        if (entry.Length == 0)
            throw Invalid(text, "a server is missing (empty entry between commas)");

        string host;
        string? port = null;
        if (entry.StartsWith('['))
        {
            int close = entry.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
                throw Invalid(text, $"'{entry}' opens '[' without closing it");
            host = entry[1..close];
            string rest = entry[(close + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':'))
                    throw Invalid(text, $"'{entry}' has '{rest}' after the address; expected ':port'");
                port = rest[1..];
            }
        }
        else
        {
            int colon = entry.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && entry.IndexOf(':', colon + 1) >= 0)
                throw Invalid(text, $"'{entry}' looks like an IPv6 address; write it as [address]:port");
            host = colon < 0 ? entry : entry[..colon];
            port = colon < 0 ? null : entry[(colon + 1)..];
        }

        if (host.Length == 0)
            throw Invalid(text, $"'{entry}' has no host");
        int number = DefaultPort;
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > 65535))
            throw Invalid(text, $"'{entry}' has port '{port}'; expected 1-65535");
        return new ServerAddress(host, number);
    }

    private static ArgumentException Invalid(string text, string problem) =>
        new($"invalid ZooKeeper connect string '{text}': {problem}; expected host[:port][,host[:port]...][/chroot]", "ConnectString");
}
