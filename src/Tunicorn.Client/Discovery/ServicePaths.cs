namespace Tunicorn.Client.Discovery;

/// <summary>Where a Tunicorn master registers by default (service_register_conf without path).</summary>
public static class ServicePaths
{
    public const string DefaultRoot = "/tunicorn/services";

    /// <summary><c>/tunicorn/services/SERVICE</c>: the entries' ZooKeeper parent node, or etcd key prefix (plus '/').</summary>
    public static string For(string service) =>
        string.IsNullOrEmpty(service) || service.Contains('/')
            ? throw new ArgumentException($"'{service}' is not a service name", nameof(service))
            : $"{DefaultRoot}/{service}";
}
