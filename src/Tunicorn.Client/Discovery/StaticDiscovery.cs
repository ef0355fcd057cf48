using System.Globalization;

namespace Tunicorn.Client.Discovery;

/// <summary>A fixed list of servers: "HOST:PORT" or "[IPV6]:PORT" addresses, or instances built in code.</summary>
public sealed class StaticDiscovery : IServiceDiscovery
{
    private readonly IReadOnlyList<ServiceInstance> _servers;

    public StaticDiscovery(IEnumerable<ServiceInstance> servers)
    {
        _servers = [.. servers];
        if (_servers.Count == 0)
            throw new ArgumentException("a static list needs at least one server", nameof(servers));
    }

    /// <param name="addresses">"HOST:PORT" each; one string may hold several separated by commas.</param>
    public StaticDiscovery(params string[] addresses)
        : this(addresses.SelectMany(a => a.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).Select(Parse))
    {
    }

    public string Description => "static " + string.Join(",", _servers.Select(s => s.Address));

    public Task StartAsync(Action<IReadOnlyList<ServiceInstance>> onChange, CancellationToken cancellationToken)
    {
        onChange(_servers);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>"HOST:PORT" or "[IPV6]:PORT" as an instance whose id is the address.</summary>
    public static ServiceInstance Parse(string address)
    {
        string host;
        string port;
        if (address.StartsWith('['))
        {
            int close = address.IndexOf(']');
            if (close < 0 || close + 1 >= address.Length || address[close + 1] != ':')
                throw new FormatException($"'{address}' is not [IPV6]:PORT");
            host = address[1..close];
            port = address[(close + 2)..];
        }
        else
        {
            int colon = address.LastIndexOf(':');
            if (colon <= 0 || address[..colon].Contains(':'))
                throw new FormatException($"'{address}' is not HOST:PORT");
            host = address[..colon];
            port = address[(colon + 1)..];
        }
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number is < 1 or > 65535)
            throw new FormatException($"'{address}' has no port from 1 to 65535");
        var instance = new ServiceInstance("", host, number);
        return instance with { Id = instance.Address };
    }
}
