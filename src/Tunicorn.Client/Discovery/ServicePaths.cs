using Tunicorn.Registry;

namespace Tunicorn.Client.Discovery;

/// <summary>Where a Tunicorn master registers by default (service_register_conf without path).</summary>
public static class ServicePaths
{
    /// <summary>The root under which <c>/SERVICE</c> is the default path: the server's, from Tunicorn.Registry.Core.</summary>
    public const string DefaultRoot = RegistryPaths.DefaultRoot;

    /// <summary><c>/tunicorn/services/SERVICE</c>: the entries' ZooKeeper parent node, or etcd key prefix (plus '/').</summary>
    public static string For(string service) => RegistryPaths.For(service);
}
