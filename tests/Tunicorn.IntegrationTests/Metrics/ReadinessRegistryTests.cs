using System.Diagnostics;
using Tunicorn.IntegrationTests.Harness;
using Tunicorn.IntegrationTests.Registry;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Metrics;

/// <summary>/readyz and the ZooKeeper entry at TERM: readiness goes first, then the entry, then the workers drain.</summary>
public sealed class ReadinessRegistryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Readyz_Is503BeforeTheZooKeeperMemberIsGone_AndWhileTheWorkerDrains()
    {
        await using var zk = await ZooKeeperServer.CreateAsync(output);
        string service = EtcdRegistrationTests.Service("readyz");
        int port = FreePort.Next(), admin = FreePort.Next();
        string address = $"127.0.0.1:{admin}";
        await using var watch = await KazooWatch.StartAsync(zk.Address, $"/tunicorn/services/{service}");
        await using var server = await TunicornServer.StartAsync(TestServiceApp.Spec, port, 1,
        [
            "--graceful-timeout", "20", "--admin-bind", address,
            "--service-register-cls", "zookeeper", "--service-register-conf", ZooKeeperRegistrationTests.Conf(zk, service),
        ], output);
        await watch.WaitForMembersAsync(1);
        Assert.Equal(200, (await AdminHttp.GetAsync(address, "/readyz")).Status);
        Assert.Contains("zookeeper: registered", (await AdminHttp.GetAsync(address, "/status.json")).Body);

        using var client = await ThriftClients.TestServiceAsync(port);
        var sleeping = client.sleep(4000);
        await Eventually.WaitUntilAsync(async () => (await AdminHttp.GetAsync(address, "/status.json")).Body.Contains("\"sleep\""),
            TimeSpan.FromSeconds(10), "the sleep call in flight");

        var clock = Stopwatch.StartNew();
        TimeSpan? notReadyAt = null;
        var polling = Task.Run(async () =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                if ((await AdminHttp.GetAsync(address, "/readyz")).Status == 503)
                {
                    notReadyAt = clock.Elapsed;
                    return;
                }
            }
        });
        Assert.True(server.Signal(UnixSignal.Term));
        await watch.WaitForMembersAsync(0);
        var memberGoneAt = clock.Elapsed;
        await polling;
        output.WriteLine($"[test] /readyz 503 at {notReadyAt?.TotalMilliseconds:0.0} ms after TERM, member gone (seen by kazoo) at {memberGoneAt.TotalMilliseconds:0.0} ms");

        Assert.NotNull(notReadyAt);
        Assert.True(notReadyAt <= memberGoneAt, $"/readyz turned 503 at {notReadyAt}, after the member was gone at {memberGoneAt}");
        Assert.False(sleeping.IsCompleted, "the worker drained before the member was gone");
        var (status, _, body) = await AdminHttp.GetAsync(address, "/readyz");
        Assert.Equal(503, status);
        Assert.Contains("stopping", body);
        await sleeping;
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}
