using Microsoft.Extensions.Logging;
using Tunicorn.Registry;

namespace Tunicorn.Client.Discovery;

/// <summary>Where <see cref="EtcdDiscovery"/> finds a service: the same hosts and path as the servers' service_register_conf.</summary>
public sealed class EtcdDiscoveryOptions
{
    /// <summary>etcd endpoints, "http://HOST:PORT" or "HOST:PORT"; empty means http://127.0.0.1:2379.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>The service name; the prefix is <c>/tunicorn/services/SERVICE/</c> unless <see cref="Path"/> is set.</summary>
    public string? Service { get; init; }

    /// <summary>The key prefix the servers register under (service_register_conf path), without the trailing '/'.</summary>
    public string? Path { get; init; }

    /// <summary>"user:password" when etcd has authentication enabled.</summary>
    public string? Auth { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Back-off between attempts while etcd is unreachable.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal string ResolvePath() => RegistryPaths.Resolve(Path, Service, nameof(EtcdDiscoveryOptions));
}
