using System.Diagnostics;
using Tunicorn.Client;
using Tunicorn.Client.Balancing;
using Tunicorn.Client.Discovery;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>TunicornClient over a static list of addresses: fail-over, no server, deadlines, leases, hash keys.</summary>
public sealed class StaticListClientTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StaticList_WithADeadAddress_EveryCallFailsOverToTheLiveServer()
    {
        int live = FreePort.Next(), dead = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(TestServiceApp.Spec, live, 1, output: output);
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions
        {
            Discovery = new StaticDiscovery($"127.0.0.1:{dead}", $"127.0.0.1:{live}"),
            Balancing = BalancingPolicies.Create(BalancingPolicies.Random),
        });

        for (int i = 0; i < 50; i++)
            Assert.Equal(i + 1, await client.CallAsync((c, ct) => c.add(i, 1, ct)));
    }

    [Fact]
    public async Task StaticList_EveryServerDown_FailsFastWithNoServerAvailable()
    {
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions
        {
            Discovery = new StaticDiscovery($"127.0.0.1:{FreePort.Next()}", $"127.0.0.1:{FreePort.Next()}"),
        });

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<NoServerAvailableException>(() => client.CallAsync((c, ct) => c.pid(ct)));

        Assert.Contains("none of the 2 servers", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Deadline_ACallTooSlow_FailsWithCallTimeout_AndTheNextCallWorks()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(TestServiceApp.Spec, port, 1, ["-k", "threaded", "--threads", "4"], output);
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions
        {
            Discovery = new StaticDiscovery($"127.0.0.1:{port}"),
        });

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<CallTimeoutException>(() => client.CallAsync((c, ct) => c.sleep(3000, ct), new CallOptions { Timeout = TimeSpan.FromMilliseconds(300) }));

        Assert.True(e.RequestSent);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the deadline of 300 ms took {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(5, await client.CallAsync((c, ct) => c.add(2, 3, ct)));
    }

    [Fact]
    public async Task LeaseAndHashKey_SameKey_SameServer_AndALeaseKeepsItsConnection()
    {
        int port1 = FreePort.Next(), port2 = FreePort.Next();
        var servers = await Task.WhenAll(
            TunicornServer.StartAsync(TestServiceApp.Spec, port1, 1, output: output),
            TunicornServer.StartAsync(TestServiceApp.Spec, port2, 1, output: output));
        await using var _ = new AsyncDisposables(servers);
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions
        {
            Discovery = new StaticDiscovery($"127.0.0.1:{port1},127.0.0.1:{port2}"),
            Balancing = BalancingPolicies.Create(BalancingPolicies.ConsistentHash),
        });

        var byKey = new Dictionary<string, HashSet<int>>();
        foreach (string key in Enumerable.Range(0, 20).Select(i => $"user-{i}"))
        {
            for (int i = 0; i < 3; i++)
            {
                int pid = await client.CallAsync((c, ct) => c.pid(ct), new CallOptions { HashKey = key });
                (byKey.TryGetValue(key, out var pids) ? pids : byKey[key] = []).Add(pid);
            }
        }
        Assert.All(byKey.Values, pids => Assert.Single(pids));
        Assert.Equal(2, byKey.Values.Select(p => p.Single()).Distinct().Count());

        await using var lease = await client.LeaseAsync(new CallOptions { HashKey = "user-1" });
        int first = await lease.Client.pid();
        Assert.Equal(first, await lease.Client.pid());
        Assert.Equal(byKey["user-1"].Single(), first);
        Assert.Contains(lease.Server.Port, new[] { port1, port2 });
    }
}
