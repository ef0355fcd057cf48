namespace Tunicorn.Config;

/// <summary>The groups of settings, in the order --help and docs/settings.md show them.</summary>
internal enum SettingSection
{
    Config,
    Server,
    Worker,
    Process,
    Logging,
    Thrift,
    /// <summary>TLS on the listening sockets (gunicorn's SSL settings).</summary>
    Tls,
    /// <summary>The service registry the master announces itself in (ZooKeeper, etcd).</summary>
    Registry,
    /// <summary>Metrics, the admin endpoint and the exporters (docs/metrics.md).</summary>
    Metrics,
    Hooks,
}
