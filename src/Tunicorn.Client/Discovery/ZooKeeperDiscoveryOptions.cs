using Microsoft.Extensions.Logging;
using Tunicorn.Registry;

namespace Tunicorn.Client.Discovery;

/// <summary>Where <see cref="ZooKeeperDiscovery"/> finds a service: the same hosts and path as the servers' service_register_conf.</summary>
public sealed class ZooKeeperDiscoveryOptions
{
    /// <summary>The connect string, "h1:2181,h2:2181[/chroot]"; empty means 127.0.0.1:2181.</summary>
    public string? Hosts { get; init; }

    /// <summary>The service name; the parent node is <c>/tunicorn/services/SERVICE</c> unless <see cref="Path"/> is set.</summary>
    public string? Service { get; init; }

    /// <summary>The parent node of the servers' entries (service_register_conf path).</summary>
    public string? Path { get; init; }

    /// <summary>"user:password" for digest auth, when reading the entries needs it.</summary>
    public string? Auth { get; init; }

    /// <summary>The discovery's own session timeout.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public ILoggerFactory? LoggerFactory { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal string ResolvePath() => RegistryPaths.Resolve(Path, Service, nameof(ZooKeeperDiscoveryOptions));
}
