using Tunicorn.Client;
using Tunicorn.Client.Discovery;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// Client lifetime (issue 18, defect 4) against etcd and real masters: a discovery shared by two clients, one of them
/// disposed while the other keeps following the registry; a client that creates and owns its discovery; disposal twice.
/// </summary>
public sealed class ClientLifetimeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SharedDiscovery_OneClientDisposed_TheOtherStillSeesANewMasterAndCallsIt()
    {
        await using var registry = await EtcdServer.CreateAsync(output);
        string service = EtcdRegistrationTests.Service("shared");
        await using var first = await StartMasterAsync(registry, service);
        var discovery = new EtcdDiscovery(new EtcdDiscoveryOptions { Hosts = [registry.Endpoint], Service = service });
        var leaving = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions { Discovery = discovery });
        await using var staying = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions { Discovery = discovery });
        // And one that creates its own discovery from settings.
        await using var owning = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions
        {
            Etcd = new EtcdDiscoveryOptions { Hosts = [registry.Endpoint], Service = service },
        });
        Assert.Equal(first.WorkerPids().Single(), await leaving.CallAsync((c, ct) => c.pid(ct)));
        Assert.Equal(first.WorkerPids().Single(), await staying.CallAsync((c, ct) => c.pid(ct)));
        Assert.Equal(first.WorkerPids().Single(), await owning.CallAsync((c, ct) => c.pid(ct)));

        await leaving.DisposeAsync();
        await leaving.DisposeAsync();
        var e = await Assert.ThrowsAsync<ObjectDisposedException>(() => leaving.CallAsync((c, ct) => c.pid(ct)));
        Assert.Contains("TunicornClient<testapp.TestService.Client> of etcd", e.ObjectName);

        await using var second = await StartMasterAsync(registry, service);
        int secondWorker = second.WorkerPids().Single();
        await Eventually.WaitUntilAsync(() => staying.Servers.Count == 2 && owning.Servers.Count == 2, TimeSpan.FromSeconds(15),
            "both remaining clients see the second master", () => $"staying: {string.Join(", ", staying.Servers)}; owning: {string.Join(", ", owning.Servers)}");
        var pids = new HashSet<int>();
        for (int i = 0; i < 10; i++)
            pids.Add(await staying.CallAsync((c, ct) => c.pid(ct)));
        Assert.Contains(secondWorker, pids);
    }

    private Task<TunicornServer> StartMasterAsync(EtcdServer registry, string service) =>
        TunicornServer.StartAsync(TestServiceApp.Spec, FreePort.Next(), 1,
            ["--service-register-cls", "etcd", "--service-register-conf", EtcdRegistrationTests.Conf(registry, service)], output);
}
