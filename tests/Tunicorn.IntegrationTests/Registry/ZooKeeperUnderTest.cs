using Tunicorn.Client.Discovery;
using Tunicorn.IntegrationTests.Harness;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>ZooKeeper for the end-to-end tests; members are watched with kazoo.</summary>
internal sealed class ZooKeeperUnderTest(ZooKeeperServer zk) : IRegistryUnderTest
{
    private readonly List<KazooWatch> _watches = [];

    public string Cls => "zookeeper";

    public static async Task<IRegistryUnderTest> StartAsync(ITestOutputHelper output) => new ZooKeeperUnderTest(await ZooKeeperServer.CreateAsync(output));

    public string Conf(string service) => ZooKeeperRegistrationTests.Conf(zk, service);

    public IServiceDiscovery Discovery(string service) => new ZooKeeperDiscovery(new ZooKeeperDiscoveryOptions { Hosts = zk.Address, Service = service });

    public async Task<ManagedProcess> WatchAsync(string service)
    {
        var watch = await KazooWatch.StartAsync(zk.Address, ServicePaths.For(service));
        _watches.Add(watch);
        return watch.Process;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var watch in _watches)
                await watch.DisposeAsync();
        }
        finally
        {
            // The server is stopped by pid even when a watcher would not stop.
            await zk.DisposeAsync();
        }
    }
}
