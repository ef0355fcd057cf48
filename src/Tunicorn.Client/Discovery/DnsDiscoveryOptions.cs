using Microsoft.Extensions.Logging;

namespace Tunicorn.Client.Discovery;

/// <summary>
/// Where <see cref="DnsDiscovery"/> finds a service: the A/AAAA records of <see cref="Host"/> with <see cref="Port"/>
/// (a Kubernetes headless service, a round-robin name), or the SRV records of <see cref="SrvName"/>, which carry the
/// ports. Set exactly one of <see cref="Host"/> and <see cref="SrvName"/>.
/// </summary>
public sealed class DnsDiscoveryOptions
{
    /// <summary>The default <see cref="RefreshInterval"/>: 5 s.</summary>
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromSeconds(5);

    /// <summary>A name whose A and AAAA records are the servers, e.g. <c>calculator.prod.svc.cluster.local</c>; needs <see cref="Port"/>.</summary>
    public string? Host { get; init; }

    /// <summary>The servers' port, with <see cref="Host"/>.</summary>
    public int? Port { get; init; }

    /// <summary>
    /// A name whose SRV records are the servers, e.g. <c>_thrift._tcp.calculator.prod.svc.cluster.local</c>: each
    /// target's addresses (from the answer's additional records, else looked up) with the record's port.
    /// </summary>
    public string? SrvName { get; init; }

    /// <summary>
    /// Name servers to ask, "IP" or "IP:PORT" (port 53 by default). Empty (the default): the system's. For A/AAAA that
    /// is the system resolver (so /etc/hosts counts too); for SRV, the name servers of /etc/resolv.conf.
    /// </summary>
    public IReadOnlyList<string> NameServers { get; init; } = [];

    /// <summary>
    /// How often the name is resolved again (default 5 s). DNS has no watch: a server that joins is seen within this
    /// interval; one that leaves is usually noticed sooner, by its refused connections.
    /// </summary>
    public TimeSpan RefreshInterval { get; init; } = DefaultRefreshInterval;

    /// <summary>How long one query to a name server may take (default 2 s; with <see cref="NameServers"/> or SRV).</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The clock of the refresh interval and of the back-off while resolution fails.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
