using Tunicorn.Client.Discovery;
using Tunicorn.IntegrationTests.Harness;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>A real registry server started for a test, as the end-to-end tests need it, whichever backend it is.</summary>
internal interface IRegistryUnderTest : IAsyncDisposable
{
    /// <summary>service_register_cls: etcd or zookeeper.</summary>
    string Cls { get; }

    /// <summary>service_register_conf registering under <paramref name="service"/>.</summary>
    string Conf(string service);

    /// <summary>The client's discovery of <paramref name="service"/>.</summary>
    IServiceDiscovery Discovery(string service);

    /// <summary>
    /// An independent watcher (etcdctl, kazoo) of <paramref name="service"/>: prints a line naming each entry's
    /// "port": PORT as soon as it appears. The registry stops it when disposed.
    /// </summary>
    Task<ManagedProcess> WatchAsync(string service);
}
