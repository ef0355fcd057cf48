using System.Text;
using Microsoft.Extensions.Logging;

namespace Tunicorn.Config;

/// <summary>
/// The resolved settings of one master generation: defaults, config file, TUNICORN_CMD_ARGS and command
/// line already merged (<see cref="SettingsLoader"/>). Immutable; a HUP builds a new instance. Workers receive it
/// serialized from the master (<see cref="Serialize"/>).
/// </summary>
/// <remarks>
/// Each property reads its entry of the settings table (Config/Settings/&lt;Section&gt;.cs), where its name, flags,
/// default, validator and description live. Properties set in code (embedded mode, tests) are not validated.
/// </remarks>
public sealed class Settings
{
    // Written only by the constructors and init accessors, so an instance never changes once built.
    private readonly Dictionary<Setting, object?> _values = [];

    /// <summary>Every setting at its default.</summary>
    public Settings()
    {
        foreach (var setting in SettingRegistry.Stored)
        {
            _values[setting] = setting.DefaultValue;
        }
    }

    internal Settings(IReadOnlyDictionary<Setting, object?> values)
        : this()
    {
        foreach (var (setting, value) in values)
        {
            if (setting.Stored)
            {
                _values[setting] = value;
            }
        }
    }

    /// <summary>APP: <c>path/to/Assembly.dll[:Namespace.Type]</c>; null in embedded mode when handlers are registered in code.</summary>
    public string? App { get => Get(ConfigSettings.App); init => Set(ConfigSettings.App, value); }

    /// <summary>The absolute path of the config file that was read, or null when none was.</summary>
    public string? ConfigFile { get => Get(ConfigSettings.Config); init => Set(ConfigSettings.Config, value); }

    /// <summary>Folders where the app's load context looks for dependencies not beside the app dll, in order.</summary>
    public IReadOnlyList<string> AppProbePaths { get => Get(ConfigSettings.AppProbePaths)!; init => Set(ConfigSettings.AppProbePaths, value.ToArray()); }

    public IReadOnlyList<string> Bind { get => Get(ServerSettings.Bind)!; init => Set(ServerSettings.Bind, value.ToArray()); }

    public int Backlog { get => Get(ServerSettings.Backlog); init => Set(ServerSettings.Backlog, value); }

    public bool ReusePort { get => Get(ServerSettings.ReusePort); init => Set(ServerSettings.ReusePort, value); }

    public bool ProxyProtocol { get => Get(ServerSettings.ProxyProtocol); init => Set(ServerSettings.ProxyProtocol, value); }

    /// <summary>IP addresses, CIDR networks or "*": the peers whose connections start with a PROXY header.</summary>
    public IReadOnlyList<string> ProxyAllowIps { get => Get(ServerSettings.ProxyAllowIps)!; init => Set(ServerSettings.ProxyAllowIps, value.ToArray()); }

    public int Workers { get => Get(WorkerSettings.Workers); init => Set(WorkerSettings.Workers, value); }

    public WorkerClass WorkerClass { get => Get(WorkerSettings.WorkerClass); init => Set(WorkerSettings.WorkerClass, value); }

    public int Threads { get => Get(WorkerSettings.Threads); init => Set(WorkerSettings.Threads, value); }

    public int WorkerConnections { get => Get(WorkerSettings.WorkerConnections); init => Set(WorkerSettings.WorkerConnections, value); }

    /// <summary>Calls after which a worker restarts gracefully; 0 never.</summary>
    public int MaxRequests { get => Get(WorkerSettings.MaxRequests); init => Set(WorkerSettings.MaxRequests, value); }

    public int MaxRequestsJitter { get => Get(WorkerSettings.MaxRequestsJitter); init => Set(WorkerSettings.MaxRequestsJitter, value); }

    /// <summary>Seconds without a heartbeat (or in one call) before a worker is killed; 0 disables.</summary>
    public double Timeout { get => Get(WorkerSettings.Timeout); init => Set(WorkerSettings.Timeout, value); }

    public double GracefulTimeout { get => Get(WorkerSettings.GracefulTimeout); init => Set(WorkerSettings.GracefulTimeout, value); }

    /// <summary>Bytes of gen0 budget for each worker's GC (DOTNET_GCgen0size); 0 the runtime's default.</summary>
    public int WorkerGen0Budget { get => Get(WorkerSettings.WorkerGen0Budget); init => Set(WorkerSettings.WorkerGen0Budget, value); }

    public string? Chdir { get => Get(ProcessSettings.Chdir); init => Set(ProcessSettings.Chdir, value); }

    /// <summary>KEY=VALUE entries, validated: the key is non-empty.</summary>
    public IReadOnlyList<string> RawEnv { get => Get(ProcessSettings.RawEnv)!; init => Set(ProcessSettings.RawEnv, value.ToArray()); }

    public string? Pidfile { get => Get(ProcessSettings.Pidfile); init => Set(ProcessSettings.Pidfile, value); }

    public string? User { get => Get(ProcessSettings.User); init => Set(ProcessSettings.User, value); }

    public string? Group { get => Get(ProcessSettings.Group); init => Set(ProcessSettings.Group, value); }

    /// <summary>The umask to set; null keeps the inherited one.</summary>
    public int? Umask { get => Get(ProcessSettings.Umask); init => Set(ProcessSettings.Umask, value); }

    public string? ProcName { get => Get(ProcessSettings.ProcName); init => Set(ProcessSettings.ProcName, value); }

    /// <summary>With <see cref="User"/> set, workers get that user's supplementary groups (initgroups(3)); otherwise none.</summary>
    public bool Initgroups { get => Get(ProcessSettings.Initgroups); init => Set(ProcessSettings.Initgroups, value); }

    /// <summary>Detach the master into the background (a new session, stdio on /dev/null).</summary>
    public bool Daemon { get => Get(ProcessSettings.Daemon); init => Set(ProcessSettings.Daemon, value); }

    /// <summary>"-" is stderr; null disables the access log.</summary>
    public string? AccessLog { get => Get(LoggingSettings.AccessLog); init => Set(LoggingSettings.AccessLog, value); }

    public string AccessLogFormat { get => Get(LoggingSettings.AccessLogFormat)!; init => Set(LoggingSettings.AccessLogFormat, value); }

    /// <summary>"-" is stderr.</summary>
    public string ErrorLog { get => Get(LoggingSettings.ErrorLog)!; init => Set(LoggingSettings.ErrorLog, value); }

    public LogLevel LogLevel { get => Get(LoggingSettings.LogLevel); init => Set(LoggingSettings.LogLevel, value); }

    /// <summary>Whether the app's stdout and stderr go to the errorlog file.</summary>
    public bool CaptureOutput { get => Get(LoggingSettings.CaptureOutput); init => Set(LoggingSettings.CaptureOutput, value); }

    /// <summary>Whether the error log goes to syslog too.</summary>
    public bool Syslog { get => Get(LoggingSettings.Syslog); init => Set(LoggingSettings.Syslog, value); }

    /// <summary>unix://PATH, udp://HOST[:PORT] or tcp://HOST[:PORT] (Logging.SyslogAddress parses it).</summary>
    public string SyslogAddr { get => Get(LoggingSettings.SyslogAddr)!; init => Set(LoggingSettings.SyslogAddr, value); }

    public Logging.SyslogFacility SyslogFacility { get => Get(LoggingSettings.SyslogFacility); init => Set(LoggingSettings.SyslogFacility, value); }

    public string? SyslogPrefix { get => Get(LoggingSettings.SyslogPrefix); init => Set(LoggingSettings.SyslogPrefix, value); }

    /// <summary>Per-category minimum levels read from the logconfig_json file; null when unset.</summary>
    // Internal, as LogLevelRules is: the parsed rules are for the server's logging setup, not for hooks.
    internal Logging.LogLevelRules? LogConfigJson { get => Get(LoggingSettings.LogConfigJson); init => Set(LoggingSettings.LogConfigJson, value); }

    /// <summary>A type name deriving from ServerHooks, looked up in the app assembly and loaded assemblies.</summary>
    public string? Hooks { get => Get(HooksSettings.Hooks); init => Set(HooksSettings.Hooks, value); }

    public ThriftProtocolKind ThriftProtocol { get => Get(ThriftSettings.ProtocolFactory); init => Set(ThriftSettings.ProtocolFactory, value); }

    public ThriftTransportKind ThriftTransport { get => Get(ThriftSettings.TransportFactory); init => Set(ThriftSettings.TransportFactory, value); }

    /// <summary>Seconds a connection may stay idle between calls before it is closed; null (or 0) waits forever.</summary>
    public double? ThriftClientTimeout { get => Get(ThriftSettings.ClientTimeout); init => Set(ThriftSettings.ClientTimeout, value); }

    /// <summary>Seconds a client may take to send one whole call, from its first byte; 0 disables the limit.</summary>
    public double ThriftMessageTimeout { get => Get(ThriftSettings.MessageTimeout); init => Set(ThriftSettings.MessageTimeout, value); }

    public bool ThriftProcessorAsFactory { get => Get(ThriftSettings.ProcessorAsFactory); init => Set(ThriftSettings.ProcessorAsFactory, value); }

    public int ThriftMaxFrameSize { get => Get(ThriftSettings.MaxFrameSize); init => Set(ThriftSettings.MaxFrameSize, value); }

    public int ThriftMaxMessageSize { get => Get(ThriftSettings.MaxMessageSize); init => Set(ThriftSettings.MaxMessageSize, value); }

    public int ThriftRecursionLimit { get => Get(ThriftSettings.RecursionLimit); init => Set(ThriftSettings.RecursionLimit, value); }

    public int ThriftMaxCollectionSize { get => Get(ThriftSettings.MaxCollectionSize); init => Set(ThriftSettings.MaxCollectionSize, value); }

    /// <summary>Bytes of estimated message memory a worker's calls may hold at once; 0 for no budget.</summary>
    public int ThriftMessageMemoryBudget { get => Get(ThriftSettings.MessageMemoryBudget); init => Set(ThriftSettings.MessageMemoryBudget, value); }

    /// <summary>NAME=path/to/Assembly.dll[:Namespace.Type] entries, served multiplexed; empty serves APP alone.</summary>
    public IReadOnlyList<string> Services { get => Get(ThriftSettings.Services)!; init => Set(ThriftSettings.Services, value.ToArray()); }

    /// <summary>The server certificate (PEM); null serves plain TCP.</summary>
    public string? CertFile { get => Get(TlsSettings.CertFile); init => Set(TlsSettings.CertFile, value); }

    public string? KeyFile { get => Get(TlsSettings.KeyFile); init => Set(TlsSettings.KeyFile, value); }

    public string? CaCerts { get => Get(TlsSettings.CaCerts); init => Set(TlsSettings.CaCerts, value); }

    public CertRequirement CertReqs { get => Get(TlsSettings.CertReqs); init => Set(TlsSettings.CertReqs, value); }

    /// <summary>The oldest TLS version clients may use.</summary>
    public TlsMinimumVersion SslVersion { get => Get(TlsSettings.SslVersion); init => Set(TlsSettings.SslVersion, value); }

    /// <summary>An OpenSSL cipher string for TLS 1.2 and older; null keeps the system's default.</summary>
    public string? Ciphers { get => Get(TlsSettings.Ciphers); init => Set(TlsSettings.Ciphers, value); }

    /// <summary>zookeeper, etcd, none, or the name of a type implementing IServiceRegistry.</summary>
    public string ServiceRegisterCls { get => Get(RegistrySettings.ServiceRegisterCls)!; init => Set(RegistrySettings.ServiceRegisterCls, value); }

    /// <summary>The registry's options as a compact JSON object (Registry.RegistryOptions reads it); null for every default.</summary>
    public string? ServiceRegisterConf { get => Get(RegistrySettings.ServiceRegisterConf); init => Set(RegistrySettings.ServiceRegisterConf, value); }

    /// <summary>The host announced for wildcard binds; null announces the machine's host name.</summary>
    public string? AdvertiseHost { get => Get(RegistrySettings.AdvertiseHost); init => Set(RegistrySettings.AdvertiseHost, value); }

    /// <summary>The value of any stored setting by its table entry.</summary>
    internal T? Get<T>(Setting<T> setting) =>
        _values.TryGetValue(setting, out var value) ? (T?)value : throw new ArgumentException($"{setting.Name} is not held by Settings", nameof(setting));

    /// <summary>The value of any stored setting, untyped (what --print-config and serialization walk over).</summary>
    internal object? GetValue(Setting setting) =>
        _values.TryGetValue(setting, out var value) ? value : throw new ArgumentException($"{setting.Name} is not held by Settings", nameof(setting));

    /// <summary>
    /// Every setting, a line each (<see cref="SettingsHandOff"/>: enums by member name, so values set in code
    /// round-trip too). The master passes it to its workers in an environment variable; <see cref="Deserialize"/> reads it back.
    /// </summary>
    internal string Serialize()
    {
        var text = new StringBuilder();
        foreach (var setting in SettingRegistry.Stored)
        {
            SettingsHandOff.AppendLine(text, setting, _values[setting]);
        }
        return text.ToString();
    }

    /// <summary>Reads what <see cref="Serialize"/> wrote. Settings missing from the text keep their defaults.</summary>
    /// <exception cref="FormatException">A line names a setting this build does not know, or holds a value not of its type.</exception>
    internal static Settings Deserialize(string serialized)
    {
        var values = new Dictionary<Setting, object?>();
        foreach (var line in serialized.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = line.IndexOf('=');
            string name = equals < 0 ? line : line[..equals];
            // A worker of another build would silently lose a setting here; refuse instead.
            var setting = SettingRegistry.Find(name) is { Stored: true } found
                ? found
                : throw new FormatException($"serialized settings name an unknown setting '{name}'");
            values[setting] = equals < 0 ? null : SettingsHandOff.ReadValue(setting, line[(equals + 1)..]);
        }
        return new Settings(values);
    }

    /// <summary>
    /// Every setting as <c>name = value</c> in TOML, sorted by name: the output of --print-config, readable as a config
    /// file. Unset settings, and those the config file cannot hold, are comment lines.
    /// </summary>
    internal string ToToml()
    {
        var builder = new StringBuilder();
        foreach (var setting in SettingRegistry.Stored.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var value = setting.FormatToml(_values[setting]);
            var line = value is null ? $"{setting.Name} is not set" : $"{setting.Name} = {value}";
            builder.Append(setting.InConfigFile && value is not null ? line : "# " + line).Append('\n');
        }
        return builder.ToString();
    }

    private void Set<T>(Setting<T> setting, T? value) => _values[setting] = value;
}
