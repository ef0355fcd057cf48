using Tunicorn.Client.Discovery;
using Tunicorn.IntegrationTests.Harness;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>etcd for the end-to-end tests; entries are watched with <c>etcdctl watch</c>.</summary>
internal sealed class EtcdUnderTest(EtcdServer etcd) : IRegistryUnderTest
{
    private readonly List<ManagedProcess> _watches = [];

    public string Cls => "etcd";

    public static async Task<IRegistryUnderTest> StartAsync(ITestOutputHelper output) => new EtcdUnderTest(await EtcdServer.CreateAsync(output));

    public string Conf(string service) => EtcdRegistrationTests.Conf(etcd, service);

    public IServiceDiscovery Discovery(string service) => new EtcdDiscovery(new EtcdDiscoveryOptions { Hosts = [etcd.Endpoint], Service = service });

    public async Task<ManagedProcess> WatchAsync(string service)
    {
        // Watch more than the service's prefix, so that a marker written outside it shows the watch is set up
        // (etcdctl prints nothing until then) without the client under test ever seeing the marker.
        var watch = etcd.Watch("/tunicorn/");
        _watches.Add(watch);
        const string marker = "/tunicorn/watch-ready";
        await Eventually.WaitUntilAsync(async () =>
        {
            await etcd.CtlAsync("put", marker, service);
            return watch.Stdout.Snapshot().Any(l => l == marker);
        }, TimeSpan.FromSeconds(10), "etcdctl watch is running", watch.DescribeOutput);
        return watch;
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
            await etcd.DisposeAsync();
        }
    }
}
