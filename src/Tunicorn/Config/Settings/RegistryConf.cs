namespace Tunicorn.Config;

/// <summary>
/// The keys of service_register_conf, in the order docs/registry.md lists them. A new key is one field here:
/// Tunicorn.Generators adds it to <c>All</c>, which the parser and the docs read. Registry.RegistryOptions holds the values, typed.
/// </summary>
internal static partial class RegistryConfKeys
{
    /// <summary>The root under which <c>/SERVICE</c> is the default path.</summary>
    public const string DefaultRoot = global::Tunicorn.Registry.RegistryPaths.DefaultRoot;

    public static readonly TableKey<IReadOnlyList<string>> Hosts = new("hosts")
    {
        Default = [],
        Validator = TableValidators.StringList,
        DefaultDescription = "`127.0.0.1:2181` (ZooKeeper), `http://127.0.0.1:2379` (etcd)",
        Description = """
            ZooKeeper: `host:port` entries, the last one may end in `/chroot`. etcd: endpoints, `http://` assumed;
            the next one is used after a failure
            """,
    };

    public static readonly TableKey<string> Path = new("path")
    {
        Aliases = ["prefix"],
        Default = null,
        Validator = TableValidators.NonEmptyString.Must(
            path => path.StartsWith('/'), (key, path) => $"has {key} '{path}', which does not start with '/'", "string starting with `/`"),
        DefaultDescription = $"`{DefaultRoot}/SERVICE`",
        Description = "the ZooKeeper parent node, or the etcd key prefix (a `/` is added)",
    };

    public static readonly TableKey<string> Service = new("service")
    {
        Default = null,
        Validator = TableValidators.NonEmptyString.Must(
            service => !service.Contains('/'), (key, service) => $"has {key} '{service}', which contains '/'", "string without `/`"),
        DefaultDescription = "the app's Thrift service name (`Calculator`); the first `--service NAME` when multiplexed; else `proc_name`",
        Description = "the name in the default path",
    };

    public static readonly TableKey<TimeSpan> Timeout = new("timeout")
    {
        // kazoo's default ZooKeeper session timeout, used for the etcd lease TTL too.
        Default = TimeSpan.FromSeconds(10),
        Validator = TableValidators.Seconds(minimum: 1),
        Description = """
            the ZooKeeper session timeout (the server may bound it: 2 to 20 ticks by default) or the etcd lease TTL.
            How long an entry outlives a master killed with `kill -9`
            """,
    };

    public static readonly TableKey<string> Auth = new("auth")
    {
        Default = null,
        Validator = TableValidators.NonEmptyString.Must(
            auth => auth.IndexOf(':') > 0, (_, _) => "has an auth that is not user:password", "`user:password`"),
        Description = """
            ZooKeeper: digest auth; nodes get the ACL "creator may do anything, anyone may read".
            etcd: the user the master authenticates as
            """,
    };

    public static readonly TableKey<string> Format = new("format")
    {
        Default = "tunicorn",
        Validator = TableValidators.Choice("tunicorn", "serverset"),
        Description = "the entries' JSON: Tunicorn's own, or `serverset` for the Finagle / Aurora serverset member JSON",
    };

    public static readonly TableKey<int> Weight = new("weight")
    {
        Default = 1,
        Validator = TableValidators.NonNegativeInt,
        Description = "announced to clients; `0` asks them to send nothing new while other servers exist",
    };

    public static readonly TableKey<string> Version = new("version")
    {
        Default = null,
        Validator = TableValidators.NonEmptyString,
        DefaultDescription = "the app assembly's informational version",
        Description = "announced as `version`",
    };

    public static readonly TableKey<System.Text.Json.JsonElement?> Metadata = new("metadata")
    {
        Default = null,
        Validator = TableValidators.Table,
        DefaultDescription = "`{}`",
        Description = "copied into each entry as `metadata`",
    };

    public static readonly TableKey<TimeSpan> DeregisterDelay = new("deregister_delay")
    {
        // Watching clients are a few ms away: half a second lets them stop sending before the workers drain.
        Default = TimeSpan.FromMilliseconds(500),
        Validator = TableValidators.Seconds(minimum: 0),
        Description = """
            the wait between removing the entries and telling the workers to drain, so that watching clients move
            away first; cut short by the master's bound on deregistration (`graceful_timeout / 3`, 1 to 5 s)
            """,
    };

    public static readonly TableKey<System.Text.Json.JsonElement?> Options = new("options")
    {
        Default = null,
        Validator = TableValidators.Table,
        Description = "for a custom registry (read from `ServiceRegistryContext.Options.Options`)",
    };

    /// <summary>Reads the canonical JSON of service_register_conf. Throws <see cref="FormatException"/> with a reason that continues "'VALUE' …".</summary>
    public static TableValues Parse(string? json) => TableValues.Parse(json, All);
}
