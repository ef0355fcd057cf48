using Tunicorn.Client.Balancing;

namespace Tunicorn.Client.DependencyInjection;

/// <summary>
/// A <see cref="TunicornClient{TClient}"/> as configuration describes it (appsettings.json, environment variables…):
/// where the servers come from (<see cref="Discovery"/> and its section) and the client's options. Times are
/// TimeSpans ("00:00:02.5"); a setting left out keeps <see cref="TunicornClientOptions"/>' default.
/// </summary>
public sealed class TunicornClientSettings
{
    /// <summary>zookeeper, etcd, static or dns: which of the sections below is used.</summary>
    public DiscoveryKind Discovery { get; set; }

    public ZooKeeperSettings ZooKeeper { get; set; } = new();

    public EtcdSettings Etcd { get; set; } = new();

    /// <summary>With "static": "HOST:PORT" addresses.</summary>
    public List<string> Servers { get; set; } = [];

    public DnsSettings Dns { get; set; } = new();

    /// <summary>round_robin (the default), random, least_outstanding_requests or consistent_hash (<see cref="BalancingPolicies"/>).</summary>
    public string? Balancing { get; set; }

    /// <summary>binary, compact or json; not set: what each server announces.</summary>
    public ThriftWireProtocol? Protocol { get; set; }

    /// <summary>buffered or framed; not set: what each server announces.</summary>
    public ThriftWireTransport? Transport { get; set; }

    /// <inheritdoc cref="TunicornClientOptions.MultiplexedService"/>
    public string? MultiplexedService { get; set; }

    /// <inheritdoc cref="TunicornClientOptions.CallTimeout"/>
    public TimeSpan? CallTimeout { get; set; }

    /// <inheritdoc cref="TunicornClientOptions.ConnectTimeout"/>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <inheritdoc cref="TunicornClientOptions.WaitForServers"/>
    public TimeSpan? WaitForServers { get; set; }

    /// <inheritdoc cref="TunicornClientOptions.MaxIdleConnectionsPerServer"/>
    public int? MaxIdleConnectionsPerServer { get; set; }

    /// <inheritdoc cref="TunicornClientOptions.EjectAfterFailures"/>
    public int? EjectAfterFailures { get; set; }

    /// <inheritdoc cref="TunicornClientOptions.SlowCallTime"/>
    public TimeSpan? SlowCallTime { get; set; }

    /// <inheritdoc cref="TunicornClientOptions.EjectionTime"/>
    public TimeSpan? EjectionTime { get; set; }

    /// <inheritdoc cref="TunicornClientOptions.MaxEjectionTime"/>
    public TimeSpan? MaxEjectionTime { get; set; }

    /// <inheritdoc cref="TunicornClientOptions.RetryBudgetRatio"/>
    public double? RetryBudgetRatio { get; set; }

    /// <inheritdoc cref="TunicornClientOptions.MinRetriesPerSecond"/>
    public int? MinRetriesPerSecond { get; set; }
}
