namespace Tunicorn.Client.DependencyInjection;

/// <summary>The "Etcd" section: <see cref="Discovery.EtcdDiscoveryOptions"/> as configuration binds it.</summary>
public sealed class EtcdSettings
{
    /// <summary>Endpoints, "http://HOST:PORT" or "HOST:PORT"; empty means http://127.0.0.1:2379.</summary>
    public List<string> Hosts { get; set; } = [];

    /// <summary>The service name: its servers are the keys under /tunicorn/services/SERVICE/.</summary>
    public string? Service { get; set; }

    /// <summary>The key prefix instead of the service's default one.</summary>
    public string? Path { get; set; }

    /// <summary>"user:password" when etcd has authentication enabled.</summary>
    public string? Auth { get; set; }
}
