using Tunicorn.Client.Discovery;

namespace Tunicorn.Client.DependencyInjection;

/// <summary>The "Dns" section: <see cref="DnsDiscoveryOptions"/> as configuration binds it.</summary>
public sealed class DnsSettings
{
    /// <summary>A name whose A/AAAA records are the servers; needs <see cref="Port"/>.</summary>
    public string? Host { get; set; }

    /// <summary>The servers' port, with <see cref="Host"/>.</summary>
    public int? Port { get; set; }

    /// <summary>A name whose SRV records are the servers, e.g. "_thrift._tcp.calculator.prod.svc.cluster.local".</summary>
    public string? SrvName { get; set; }

    /// <summary>Name servers to ask, "IP" or "IP:PORT"; empty asks the system's.</summary>
    public List<string> NameServers { get; set; } = [];

    /// <summary>How often the name is resolved again ("00:00:05").</summary>
    public TimeSpan RefreshInterval { get; set; } = DnsDiscoveryOptions.DefaultRefreshInterval;

    /// <summary>How long one query may take ("00:00:02").</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
