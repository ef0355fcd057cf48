using Tunicorn.Client.Discovery;

namespace Tunicorn.Tests.Client;

public sealed class DiscoveryDisposalTests
{
    [Fact]
    public async Task DisposeAsync_Twice_ZooKeeperAndEtcd_TheSecondDoesNothing()
    {
        var zooKeeper = new ZooKeeperDiscovery(new ZooKeeperDiscoveryOptions { Hosts = "127.0.0.1:1", Service = "s" });
        var etcd = new EtcdDiscovery(new EtcdDiscoveryOptions { Hosts = ["http://127.0.0.1:1"], Service = "s" });

        await zooKeeper.DisposeAsync();
        await zooKeeper.DisposeAsync();
        await etcd.DisposeAsync();
        await etcd.DisposeAsync();
    }
}
