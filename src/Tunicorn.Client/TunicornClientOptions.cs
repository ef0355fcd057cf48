using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Thrift;
using Tunicorn.Client.Balancing;
using Tunicorn.Client.Discovery;

namespace Tunicorn.Client;

/// <summary>
/// How a <see cref="TunicornClient{TClient}"/> finds, picks and talks to servers. Where the servers come from is the
/// one required choice: exactly one of <see cref="Discovery"/>, <see cref="ZooKeeper"/>, <see cref="Etcd"/> and
/// <see cref="Servers"/>.
/// </summary>
public sealed class TunicornClientOptions
{
    /// <summary>
    /// A discovery you built: <see cref="EtcdDiscovery"/>, <see cref="ZooKeeperDiscovery"/>, <see cref="DnsDiscovery"/>, <see cref="StaticDiscovery"/>
    /// or your own. Several clients may share one instance (it is started once and each of its sets goes to all of
    /// them); it is disposed when the last client using it is disposed, unless <see cref="DisposeDiscovery"/> is false.
    /// </summary>
    public IServiceDiscovery? Discovery { get; init; }

    /// <summary>When <see cref="Discovery"/> is set: dispose it with the last client that uses it (true, the default), or leave that to you.</summary>
    public bool DisposeDiscovery { get; init; } = true;

    /// <summary>Find the servers in ZooKeeper: the client creates the discovery, and disposes it with itself.</summary>
    public ZooKeeperDiscoveryOptions? ZooKeeper { get; init; }

    /// <summary>Find the servers in etcd: the client creates the discovery, and disposes it with itself.</summary>
    public EtcdDiscoveryOptions? Etcd { get; init; }

    /// <summary>A fixed list of "HOST:PORT" addresses (<see cref="StaticDiscovery"/>), created and owned by the client.</summary>
    public IReadOnlyList<string>? Servers { get; init; }

    /// <summary>
    /// How long a call waits for the discovery to report a server when it knows none; then it fails with
    /// <see cref="NoServerAvailableException"/>, saying whether the registry is unreachable or has no server registered.
    /// Null (the default) waits up to the call's deadline; <see cref="TimeSpan.Zero"/> fails at once (fail-fast; the
    /// first call may then fail before the registry could answer: call StartAsync and wait for Servers first).
    /// </summary>
    public TimeSpan? WaitForServers { get; init; }

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

    /// <summary>Failures in a row (connection errors, broken connections, calls past their deadline) after which a server is ejected.</summary>
    public int EjectAfterFailures { get; init; } = 3;

    /// <summary>
    /// A call answered after this long counts as a failure toward ejection (the answer still reaches the caller): a
    /// server that answers, but too slowly to be of use, is left out like one that fails. Null (the default) counts
    /// every answer as a success; calls past their deadline count as failures either way.
    /// </summary>
    public TimeSpan? SlowCallTime { get; init; }

    /// <summary>How long the first ejection lasts; each ejection in a row doubles it, up to <see cref="MaxEjectionTime"/>.</summary>
    public TimeSpan EjectionTime { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxEjectionTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The retry budget: each call earns this fraction of a retry (0.2: retries add at most a fifth to the calls sent),
    /// on top of <see cref="MinRetriesPerSecond"/>. Retries happen only for calls marked <see cref="CallOptions.Idempotent"/>.
    /// Same default as Finagle's RetryBudget.
    /// </summary>
    public double RetryBudgetRatio { get; init; } = 0.2;

    /// <summary>Retries a second always allowed, whatever the budget holds (Finagle's default: 10).</summary>
    public int MinRetriesPerSecond { get; init; } = 10;

    /// <summary>Thrift's message and frame size limits for every connection; null uses Thrift's defaults.</summary>
    public TConfiguration? ThriftConfiguration { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The clock of deadlines and ejections (tests pass their own).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Where the meter "Tunicorn.Client" comes from (the host's, from DI); null uses one static meter. The instruments
    /// are listed in docs/client.md, "Metrics and tracing".
    /// </summary>
    public IMeterFactory? MeterFactory { get; init; }
}
