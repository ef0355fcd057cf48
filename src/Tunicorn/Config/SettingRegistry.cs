namespace Tunicorn.Config;

/// <summary>
/// Every setting, in section order. The one list the command line, the config file, --help, --print-config,
/// serialization and docs/settings.md are built from: a new setting is declared in its section file and added here.
/// </summary>
internal static class SettingRegistry
{
    public static IReadOnlyList<Setting> All { get; } =
    [
        ConfigSettings.Config,
        ConfigSettings.App,
        ConfigSettings.AppProbePaths,
        ConfigSettings.PrintConfig,
        ConfigSettings.CheckConfig,

        ServerSettings.Bind,
        ServerSettings.Backlog,
        ServerSettings.ReusePort,
        ServerSettings.ProxyProtocol,
        ServerSettings.ProxyAllowIps,

        WorkerSettings.Workers,
        WorkerSettings.WorkerClass,
        WorkerSettings.Threads,
        WorkerSettings.WorkerConnections,
        WorkerSettings.MaxRequests,
        WorkerSettings.MaxRequestsJitter,
        WorkerSettings.Timeout,
        WorkerSettings.GracefulTimeout,
        WorkerSettings.WorkerGen0Budget,

        ProcessSettings.Chdir,
        ProcessSettings.RawEnv,
        ProcessSettings.Pidfile,
        ProcessSettings.User,
        ProcessSettings.Group,
        ProcessSettings.Umask,
        ProcessSettings.ProcName,
        ProcessSettings.Initgroups,
        ProcessSettings.Daemon,

        LoggingSettings.AccessLog,
        LoggingSettings.AccessLogFormat,
        LoggingSettings.ErrorLog,
        LoggingSettings.LogLevel,
        LoggingSettings.CaptureOutput,
        LoggingSettings.Syslog,
        LoggingSettings.SyslogAddr,
        LoggingSettings.SyslogFacility,
        LoggingSettings.SyslogPrefix,
        LoggingSettings.LogConfigJson,

        ThriftSettings.ProtocolFactory,
        ThriftSettings.TransportFactory,
        ThriftSettings.ClientTimeout,
        ThriftSettings.MessageTimeout,
        ThriftSettings.ProcessorAsFactory,
        ThriftSettings.MaxFrameSize,
        ThriftSettings.MaxMessageSize,
        ThriftSettings.RecursionLimit,
        ThriftSettings.MaxCollectionSize,
        ThriftSettings.MessageMemoryBudget,
        ThriftSettings.Services,

        TlsSettings.CertFile,
        TlsSettings.KeyFile,
        TlsSettings.CaCerts,
        TlsSettings.CertReqs,
        TlsSettings.SslVersion,
        TlsSettings.Ciphers,

        RegistrySettings.ServiceRegisterCls,
        RegistrySettings.ServiceRegisterConf,
        RegistrySettings.AdvertiseHost,

        HooksSettings.Hooks,
    ];

    private static readonly Dictionary<string, Setting> ByName = All.ToDictionary(s => s.Name, StringComparer.Ordinal);

    /// <summary>The setting called <paramref name="name"/> (snake_case), or null.</summary>
    public static Setting? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The settings a <see cref="Settings"/> instance holds (all but the loader's commands).</summary>
    public static IEnumerable<Setting> Stored => All.Where(s => s.Stored);
}
