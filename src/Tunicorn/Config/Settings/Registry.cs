namespace Tunicorn.Config;

/// <summary>Settings of the service registry the master announces itself in, with gunicorn_thrift's names.</summary>
internal static class RegistrySettings
{
    /// <summary>The built-in backends, by the name service_register_cls takes.</summary>
    public static readonly IReadOnlyList<string> Backends = ["zookeeper", "etcd", "none"];

    // Validators are declared before the settings whose initializers read them (static fields initialize in textual order).
    private static readonly Validator<string> RegistryClass = new(
        "zookeeper, etcd, none or a .NET type name",
        text => Backends.FirstOrDefault(b => string.Equals(b, text, StringComparison.OrdinalIgnoreCase))
            ?? TypeName(text),
        value => value);

    private static readonly Validator<string> RegistryConf = new(
        "table",
        text =>
        {
            try
            {
                var json = RegistryConfText.Normalize(text);
                RegistryConfKeys.Parse(json);
                return json;
            }
            catch (FormatException e)
            {
                throw new SettingValueException(text, e.Message);
            }
        },
        value => value);

    private static readonly Validator<string> HostName = new(
        "host name or IP address",
        text => Uri.CheckHostName(text.Trim('[', ']')) switch
        {
            UriHostNameType.Unknown or UriHostNameType.Basic => throw new SettingValueException(text, "is not a host name or an IP address"),
            _ when text.Trim('[', ']') is "0.0.0.0" or "::" => throw new SettingValueException(text, "is a wildcard address; clients need one they can connect to"),
            _ => text.Trim('[', ']'),
        },
        value => value);

    /// <summary>zookeeper, etcd, none, or the name of a type implementing IServiceRegistry.</summary>
    public static readonly Setting<string> ServiceRegisterCls = new("service_register_cls", SettingSection.Registry)
    {
        Flags = ["--service-register-cls"],
        MetaVar = "CLASS",
        // Same default as gunicorn_thrift: announce nothing.
        Default = "none",
        Validator = RegistryClass,
        Description = """
            Where the master announces itself: zookeeper, etcd, none, or a type implementing IServiceRegistry.
            Once the first worker accepts, the master registers one ephemeral entry per TCP address it listens on
            (a ZooKeeper ephemeral sequential node; an etcd key under a lease it keeps alive) and removes them first
            on TERM, before the workers drain. If the registry is down the server serves anyway and registers when
            it comes back; an entry lost with a session or lease is created again. A type name (Namespace.Type[,
            Assembly], looked up in the app assembly and the loaded assemblies) needs a public constructor taking
            a ServiceRegistryContext. Read at start only: HUP does not change it. See docs/registry.md.
            """,
    };

    /// <summary>The registry's options as a compact JSON object (Registry.RegistryOptions types it); null for every default.</summary>
    public static readonly Setting<string> ServiceRegisterConf = new("service_register_conf", SettingSection.Registry)
    {
        Flags = ["--service-register-conf"],
        MetaVar = "TABLE",
        Default = null,
        Validator = RegistryConf,
        TableKeys = () => RegistryConfKeys.All,
        Description = """
            The registry's options: a TOML table in the config file, JSON or inline TOML on the command line.
            Every key is optional; unset uses every default. What each key takes and its default: the table in
            docs/registry.md, generated from the keys' declarations (Config/Settings/RegistryConf.cs).
            """,
    };

    /// <summary>The host announced for wildcard binds; null announces the machine's host name.</summary>
    public static readonly Setting<string> AdvertiseHost = new("advertise_host", SettingSection.Registry)
    {
        Flags = ["--advertise-host"],
        MetaVar = "HOST",
        Default = null,
        Validator = HostName,
        Description = """
            The host announced for addresses bound to 0.0.0.0 or ::, which clients cannot connect to.
            Unset announces this machine's host name for them. Addresses bound to a specific host are announced
            as bound.
            """,
    };

    private static string TypeName(string text)
    {
        try
        {
            return Validators.TypeName.Parse(text);
        }
        catch (SettingValueException)
        {
            throw new SettingValueException(text, "is not zookeeper, etcd, none or a .NET type name (Namespace.Type[, Assembly])");
        }
    }
}
