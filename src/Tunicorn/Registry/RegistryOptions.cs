using System.Text.Json;
using Tunicorn.Config;

namespace Tunicorn.Registry;

/// <summary>
/// service_register_conf, typed: where and how the master announces itself. Every key is optional; its declaration
/// (name, value, default, validator, description) is in Config/Settings/RegistryConf.cs, from which docs/registry.md lists them.
/// </summary>
public sealed class RegistryOptions
{
    /// <summary>The keys service_register_conf accepts, in the order the docs list them (aliases after their key).</summary>
    public static readonly IReadOnlyList<string> Keys = [.. RegistryConfKeys.All.SelectMany(key => key.Names)];

    /// <summary>The root under which <c>/SERVICE</c> is the default path.</summary>
    public const string DefaultRoot = RegistryPaths.DefaultRoot;

    /// <summary>Seconds: kazoo's default ZooKeeper session timeout, used for the etcd lease TTL too.</summary>
    public static readonly TimeSpan DefaultTimeout = RegistryConfKeys.Timeout.Default;

    /// <summary>
    /// How long deregistration waits after removing the entries before the workers start draining, so that watching
    /// clients (a few ms away) stop sending first.
    /// </summary>
    public static readonly TimeSpan DefaultDeregisterDelay = RegistryConfKeys.DeregisterDelay.Default;

    /// <summary>ZooKeeper connect string parts ("host:port[/chroot]") or etcd endpoints ("http://host:port"); empty: the backend's default.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>The ZooKeeper parent node or etcd key prefix of the service's entries; null: <c>/tunicorn/services/SERVICE</c>.</summary>
    public string? Path { get; init; }

    /// <summary>The name the service is registered under; null: the Thrift service name of the app.</summary>
    public string? Service { get; init; }

    /// <summary>ZooKeeper session timeout or etcd lease TTL.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>"user:password": ZooKeeper digest auth, or etcd user authentication.</summary>
    public string? Auth { get; init; }

    public RegistryEntryFormat Format { get; init; } = RegistryEntryFormat.Tunicorn;

    /// <summary>A hint for clients' balancing; 0 asks them to send nothing new.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>The service's version; null: the app assembly's informational version.</summary>
    public string? Version { get; init; }

    /// <summary>A JSON object copied into each entry as "metadata".</summary>
    public JsonElement? Metadata { get; init; }

    public TimeSpan DeregisterDelay { get; init; } = DefaultDeregisterDelay;

    /// <summary>A free-form JSON object for a custom IServiceRegistry (service_register_cls = a type name).</summary>
    public JsonElement? Options { get; init; }

    /// <summary>The entries' parent path for <paramref name="service"/> unless <see cref="Path"/> names one.</summary>
    public string ResolvePath(string service) => (Path ?? $"{DefaultRoot}/{service}").TrimEnd('/') is { Length: > 0 } path ? path : "/";

    /// <summary>
    /// Reads the canonical JSON of service_register_conf (null or empty: every default). Throws
    /// <see cref="FormatException"/> with a reason that continues "'VALUE' …".
    /// </summary>
    public static RegistryOptions Parse(string? json)
    {
        var table = RegistryConfKeys.Parse(json);
        return new RegistryOptions
        {
            Hosts = table.Get(RegistryConfKeys.Hosts)!,
            Path = table.Get(RegistryConfKeys.Path),
            Service = table.Get(RegistryConfKeys.Service),
            Timeout = table.Get(RegistryConfKeys.Timeout),
            Auth = table.Get(RegistryConfKeys.Auth),
            // The key's validator admits only the members' names, in lower case.
            Format = Enum.Parse<RegistryEntryFormat>(table.Get(RegistryConfKeys.Format)!, ignoreCase: true),
            Weight = table.Get(RegistryConfKeys.Weight),
            Version = table.Get(RegistryConfKeys.Version),
            Metadata = table.Get(RegistryConfKeys.Metadata),
            DeregisterDelay = table.Get(RegistryConfKeys.DeregisterDelay),
            Options = table.Get(RegistryConfKeys.Options),
        };
    }
}
