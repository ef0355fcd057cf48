using System.Globalization;
using System.Text.Json;

namespace Tunicorn.Registry;

/// <summary>
/// service_register_conf, typed: where and how the master announces itself. Every key is optional; docs/registry.md
/// lists them with their defaults.
/// </summary>
public sealed class RegistryOptions
{
    /// <summary>The keys service_register_conf accepts, in the order the docs list them.</summary>
    public static readonly IReadOnlyList<string> Keys =
        ["hosts", "path", "prefix", "service", "timeout", "auth", "format", "weight", "version", "metadata", "deregister_delay", "options"];

    /// <summary>The root under which <c>/SERVICE</c> is the default path.</summary>
    public const string DefaultRoot = RegistryPaths.DefaultRoot;

    /// <summary>Seconds: kazoo's default ZooKeeper session timeout, used for the etcd lease TTL too.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long deregistration waits after removing the entries before the workers start draining, so that watching
    /// clients (a few ms away) stop sending first.
    /// </summary>
    public static readonly TimeSpan DefaultDeregisterDelay = TimeSpan.FromMilliseconds(500);

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
        if (string.IsNullOrWhiteSpace(json))
            return new RegistryOptions();
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new FormatException("is not a table");

        IReadOnlyList<string> hosts = [];
        string? path = null, service = null, auth = null, version = null;
        var timeout = DefaultTimeout;
        var deregisterDelay = DefaultDeregisterDelay;
        var format = RegistryEntryFormat.Tunicorn;
        var weight = 1;
        JsonElement? metadata = null, options = null;
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "hosts":
                    hosts = value.ValueKind switch
                    {
                        JsonValueKind.Array when value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String && item.GetString()!.Length > 0) =>
                            [.. value.EnumerateArray().Select(item => item.GetString()!)],
                        JsonValueKind.String => [.. value.GetString()!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
                        _ => throw new FormatException("has hosts that are neither a string nor an array of strings"),
                    };
                    if (hosts.Count == 0)
                        throw new FormatException("has empty hosts");
                    break;
                case "path" or "prefix":
                    if (path is not null)
                        throw new FormatException("has both path and prefix (they are the same key: give one)");
                    path = NonEmptyString(property.Name, value);
                    if (!path.StartsWith('/'))
                        throw new FormatException($"has {property.Name} '{path}', which does not start with '/'");
                    break;
                case "service":
                    service = NonEmptyString("service", value);
                    if (service.Contains('/'))
                        throw new FormatException($"has service '{service}', which contains '/'");
                    break;
                case "timeout":
                    timeout = TimeSpan.FromSeconds(Seconds("timeout", value, minimum: 1));
                    break;
                case "deregister_delay":
                    deregisterDelay = TimeSpan.FromSeconds(Seconds("deregister_delay", value, minimum: 0));
                    break;
                case "auth":
                    auth = NonEmptyString("auth", value);
                    if (auth.IndexOf(':') <= 0)
                        throw new FormatException("has an auth that is not user:password");
                    break;
                case "format":
                    format = NonEmptyString("format", value).ToLowerInvariant() switch
                    {
                        "tunicorn" => RegistryEntryFormat.Tunicorn,
                        "serverset" => RegistryEntryFormat.Serverset,
                        var other => throw new FormatException($"has format '{other}' (allowed: tunicorn, serverset)"),
                    };
                    break;
                case "weight":
                    weight = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var w) && w >= 0
                        ? w
                        : throw new FormatException("has a weight that is not an integer 0 or more");
                    break;
                case "version":
                    version = NonEmptyString("version", value);
                    break;
                case "metadata":
                    metadata = value.ValueKind == JsonValueKind.Object ? value.Clone() : throw new FormatException("has metadata that is not a table");
                    break;
                case "options":
                    options = value.ValueKind == JsonValueKind.Object ? value.Clone() : throw new FormatException("has options that is not a table");
                    break;
                default:
                    throw new FormatException($"has the unknown key '{property.Name}' (allowed: {string.Join(", ", Keys)})");
            }
        }
        return new RegistryOptions
        {
            Hosts = hosts,
            Path = path,
            Service = service,
            Timeout = timeout,
            Auth = auth,
            Format = format,
            Weight = weight,
            Version = version,
            Metadata = metadata,
            DeregisterDelay = deregisterDelay,
            Options = options,
        };
    }

    private static string NonEmptyString(string key, JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new FormatException($"has a {key} that is not a non-empty string");

    private static double Seconds(string key, JsonElement value, double minimum)
    {
        double seconds = value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => double.NaN,
        };
        return double.IsFinite(seconds) && seconds >= minimum && seconds <= 3600
            ? seconds
            : throw new FormatException($"has a {key} that is not a number of seconds from {minimum.ToString(CultureInfo.InvariantCulture)} to 3600");
    }
}
