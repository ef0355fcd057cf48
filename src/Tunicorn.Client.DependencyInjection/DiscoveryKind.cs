namespace Tunicorn.Client.DependencyInjection;

/// <summary>Where a client configured by <see cref="TunicornClientSettings"/> finds its servers (case-insensitive in configuration).</summary>
public enum DiscoveryKind
{
    /// <summary>Not set: an error, unless the builder's UseDiscovery gives the discovery.</summary>
    None,

    /// <summary>ZooKeeper: <see cref="TunicornClientSettings.ZooKeeper"/>.</summary>
    ZooKeeper,

    /// <summary>etcd: <see cref="TunicornClientSettings.Etcd"/>.</summary>
    Etcd,

    /// <summary>A fixed list: <see cref="TunicornClientSettings.Servers"/>.</summary>
    Static,

    /// <summary>DNS A/AAAA or SRV records: <see cref="TunicornClientSettings.Dns"/>.</summary>
    Dns,
}
