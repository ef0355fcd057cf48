using Microsoft.Extensions.Logging;
using Thrift;
using Tunicorn.Client.Balancing;
using Tunicorn.Client.Discovery;

namespace Tunicorn.Client;

/// <summary>How a <see cref="TunicornClient{TClient}"/> finds, picks and talks to servers. Only Discovery is required.</summary>
public sealed class TunicornClientOptions
{
    /// <summary>Where the servers come from: <see cref="EtcdDiscovery"/>, ZooKeeperDiscovery, or <see cref="StaticDiscovery"/>.</summary>
    public required IServiceDiscovery Discovery { get; init; }

    /// <summary>How a server is picked per call; <see cref="BalancingPolicies.Create"/> builds one by name.</summary>
    public IBalancingPolicy Balancing { get; init; } = new RoundRobinPolicy();

    /// <summary>The protocol to speak; null speaks what each server announces (binary when it announces none or auto).</summary>
    public ThriftWireProtocol? Protocol { get; init; }

    /// <summary>The transport to speak; null speaks what each server announces (buffered when it announces none or auto).</summary>
    public ThriftWireTransport? Transport { get; init; }

    /// <summary>The service name for TMultiplexedProtocol when servers serve several services; null sends plain calls.</summary>
    public string? MultiplexedService { get; init; }

    /// <summary>The default deadline of a call: waiting for a server, connecting, failing over and the call itself.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one connection attempt may take before the next server is tried.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Idle connections kept per server for later calls; more are opened when calls need them.</summary>
    public int MaxIdleConnectionsPerServer { get; init; } = 16;

    /// <summary>Failures in a row (connection errors, broken connections) after which a server is ejected.</summary>
    public int EjectAfterFailures { get; init; } = 3;

    /// <summary>How long the first ejection lasts; each ejection in a row doubles it, up to <see cref="MaxEjectionTime"/>.</summary>
    public TimeSpan EjectionTime { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxEjectionTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Thrift's message and frame size limits for every connection; null uses Thrift's defaults.</summary>
    public TConfiguration? ThriftConfiguration { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The clock of deadlines and ejections (tests pass their own).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
