namespace Tunicorn.Client.DependencyInjection;

/// <summary>The "ZooKeeper" section: <see cref="Discovery.ZooKeeperDiscoveryOptions"/> as configuration binds it.</summary>
public sealed class ZooKeeperSettings
{
    /// <summary>"h1:2181,h2:2181[/chroot]"; empty means 127.0.0.1:2181.</summary>
    public string? Hosts { get; set; }

    /// <summary>The service name: its servers are the children of /tunicorn/services/SERVICE.</summary>
    public string? Service { get; set; }

    /// <summary>The parent node instead of the service's default one.</summary>
    public string? Path { get; set; }

    /// <summary>"user:password" for digest auth.</summary>
    public string? Auth { get; set; }

    /// <summary>The discovery's session timeout ("00:00:10").</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
