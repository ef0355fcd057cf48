using Microsoft.Extensions.Logging;

namespace Tunicorn.Registry;

/// <summary>
/// Everything a registry backend needs, built once at start from the settings: its options, where the entries go,
/// and what they say. A custom IServiceRegistry (service_register_cls = a type name) receives it in its constructor.
/// </summary>
public sealed class ServiceRegistryContext
{
    public required RegistryOptions Options { get; init; }

    /// <summary>The name the service is registered under (the last part of the default path).</summary>
    public required string ServiceName { get; init; }

    /// <summary>The Thrift services the master serves, e.g. ["Calculator"].</summary>
    public required IReadOnlyList<string> Services { get; init; }

    /// <summary>binary, compact, json or auto: the thrift_protocol_factory setting.</summary>
    public required string Protocol { get; init; }

    /// <summary>buffered, framed or auto: the thrift_transport_factory setting.</summary>
    public required string Transport { get; init; }

    public bool Multiplexed { get; init; }

    public string? Version { get; init; }

    public DateTimeOffset StartTime { get; init; } = DateTimeOffset.UtcNow;

    public required ILoggerFactory LoggerFactory { get; init; }

    /// <summary>Delays and back-off run on this clock (tests pass their own).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The ZooKeeper parent node or etcd key prefix of the entries (no trailing '/').</summary>
    public string Path => Options.ResolvePath(ServiceName);

    /// <summary>What the entry for <paramref name="endpoint"/> announces (the pid is read now: the master's).</summary>
    public ServiceEntry EntryFor(ServiceEndpoint endpoint) => new(
        endpoint.Host,
        endpoint.Port,
        Environment.ProcessId,
        Options.Weight,
        Protocol,
        Transport,
        Multiplexed,
        Services,
        Options.Version ?? Version,
        StartTime,
        Options.Metadata);
}
