using Microsoft.Extensions.Logging;
using Tunicorn.Client.Balancing;
using Tunicorn.Client.Discovery;

namespace Tunicorn.Client.DependencyInjection;

/// <summary>
/// <see cref="TunicornClientSettings"/> as <see cref="TunicornClientOptions"/>: the discovery the settings name (owned by
/// the client), the container's logger factory and clock given to the client and its discovery alike, and each
/// setting left out at the options' default.
/// </summary>
internal static class TunicornClientSettingsConverter
{
    private static readonly TunicornClientOptions Defaults = new() { Servers = ["default:1"] };

    /// <summary>What is wrong with <paramref name="settings"/>, each naming its configuration key under <paramref name="path"/>; empty when nothing is.</summary>
    public static List<string> Problems(TunicornClientSettings settings, string? path, bool discoveryInCode)
    {
        string Key(string name) => string.IsNullOrEmpty(path) ? name : $"{path}:{name}";
        var problems = new List<string>();
        switch (settings.Discovery)
        {
            case DiscoveryKind.None when !discoveryInCode:
                problems.Add($"{Key("Discovery")} is not set: say zookeeper, etcd, static or dns (and fill its section)");
                break;
            case DiscoveryKind.ZooKeeper when string.IsNullOrWhiteSpace(settings.ZooKeeper.Service) && string.IsNullOrWhiteSpace(settings.ZooKeeper.Path):
                problems.Add($"{Key("ZooKeeper:Service")} (or {Key("ZooKeeper:Path")}) is not set");
                break;
            case DiscoveryKind.Etcd when string.IsNullOrWhiteSpace(settings.Etcd.Service) && string.IsNullOrWhiteSpace(settings.Etcd.Path):
                problems.Add($"{Key("Etcd:Service")} (or {Key("Etcd:Path")}) is not set");
                break;
            case DiscoveryKind.Static when settings.Servers.Count == 0:
                problems.Add($"{Key("Servers")} lists no \"HOST:PORT\" address");
                break;
            case DiscoveryKind.Dns when string.IsNullOrWhiteSpace(settings.Dns.Host) == string.IsNullOrWhiteSpace(settings.Dns.SrvName):
                problems.Add($"set one of {Key("Dns:Host")} (with {Key("Dns:Port")}) and {Key("Dns:SrvName")}");
                break;
            case DiscoveryKind.Dns when settings.Dns.Host is not null && settings.Dns.Port is not (>= 1 and <= 65535):
                problems.Add($"{Key("Dns:Port")} must be from 1 to 65535 with {Key("Dns:Host")}");
                break;
        }
        if (settings.Balancing is { } balancing && !BalancingPolicies.Names.Contains(balancing))
            problems.Add($"{Key("Balancing")} '{balancing}' is none of {string.Join(", ", BalancingPolicies.Names)}");
        return problems;
    }

    /// <summary>The client's options; <paramref name="discovery"/> (from the builder) wins over the settings' kind.</summary>
    public static TunicornClientOptions ToOptions(TunicornClientSettings settings, IServiceDiscovery? discovery, IBalancingPolicy? balancing,
        ILoggerFactory? loggerFactory, TimeProvider timeProvider)
    {
        var kind = discovery is null ? settings.Discovery : DiscoveryKind.None;
        return new TunicornClientOptions
        {
            Discovery = discovery ?? (kind == DiscoveryKind.Dns ? Dns(settings.Dns, loggerFactory, timeProvider) : null),
            ZooKeeper = kind == DiscoveryKind.ZooKeeper
                ? new ZooKeeperDiscoveryOptions
                {
                    Hosts = settings.ZooKeeper.Hosts,
                    Service = settings.ZooKeeper.Service,
                    Path = settings.ZooKeeper.Path,
                    Auth = settings.ZooKeeper.Auth,
                    SessionTimeout = settings.ZooKeeper.SessionTimeout,
                    LoggerFactory = loggerFactory,
                    TimeProvider = timeProvider,
                }
                : null,
            Etcd = kind == DiscoveryKind.Etcd
                ? new EtcdDiscoveryOptions
                {
                    Hosts = [.. settings.Etcd.Hosts],
                    Service = settings.Etcd.Service,
                    Path = settings.Etcd.Path,
                    Auth = settings.Etcd.Auth,
                    LoggerFactory = loggerFactory,
                    TimeProvider = timeProvider,
                }
                : null,
            Servers = kind == DiscoveryKind.Static ? [.. settings.Servers] : null,
            Balancing = balancing ?? BalancingPolicies.Create(settings.Balancing ?? BalancingPolicies.RoundRobin),
            Protocol = settings.Protocol,
            Transport = settings.Transport,
            MultiplexedService = settings.MultiplexedService,
            CallTimeout = settings.CallTimeout ?? Defaults.CallTimeout,
            ConnectTimeout = settings.ConnectTimeout ?? Defaults.ConnectTimeout,
            WaitForServers = settings.WaitForServers ?? Defaults.WaitForServers,
            MaxIdleConnectionsPerServer = settings.MaxIdleConnectionsPerServer ?? Defaults.MaxIdleConnectionsPerServer,
            EjectAfterFailures = settings.EjectAfterFailures ?? Defaults.EjectAfterFailures,
            SlowCallTime = settings.SlowCallTime ?? Defaults.SlowCallTime,
            EjectionTime = settings.EjectionTime ?? Defaults.EjectionTime,
            MaxEjectionTime = settings.MaxEjectionTime ?? Defaults.MaxEjectionTime,
            RetryBudgetRatio = settings.RetryBudgetRatio ?? Defaults.RetryBudgetRatio,
            MinRetriesPerSecond = settings.MinRetriesPerSecond ?? Defaults.MinRetriesPerSecond,
            LoggerFactory = loggerFactory,
            TimeProvider = timeProvider,
        };
    }

    private static DnsDiscovery Dns(DnsSettings dns, ILoggerFactory? loggerFactory, TimeProvider timeProvider) => new(new DnsDiscoveryOptions
    {
        Host = string.IsNullOrWhiteSpace(dns.Host) ? null : dns.Host,
        Port = dns.Port,
        SrvName = string.IsNullOrWhiteSpace(dns.SrvName) ? null : dns.SrvName,
        NameServers = [.. dns.NameServers],
        RefreshInterval = dns.RefreshInterval,
        QueryTimeout = dns.QueryTimeout,
        LoggerFactory = loggerFactory,
        TimeProvider = timeProvider,
    });
}
