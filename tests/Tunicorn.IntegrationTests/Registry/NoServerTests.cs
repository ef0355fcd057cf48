using System.Diagnostics;
using Tunicorn.Client;
using Tunicorn.Client.Discovery;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// Zero servers (issue 18, defect 3): <see cref="NoServerAvailableException"/>, not a timeout, saying whether the
/// registry is unreachable or has no server registered; with WaitForServers, within that wait rather than the deadline.
/// </summary>
public sealed class NoServerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Etcd_NoServerRegistered_FailsWithinTheWait_SayingNoServersRegistered()
    {
        await using var etcd = await EtcdServer.CreateAsync(output);
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions
        {
            Etcd = new EtcdDiscoveryOptions { Hosts = [etcd.Endpoint], Service = EtcdRegistrationTests.Service("none") },
            WaitForServers = Wait,
        });

        var e = await TimedFailureAsync(client);

        Assert.Equal(CallFailureReason.NoServerRegistered, e.Reason);
        Assert.StartsWith("no servers registered: etcd", e.Message);
    }

    [Fact]
    public async Task Etcd_Unreachable_FailsWithinTheWait_SayingRegistryUnreachable()
    {
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions
        {
            Etcd = new EtcdDiscoveryOptions { Hosts = [$"http://127.0.0.1:{FreePort.Next()}"], Service = "none" },
            WaitForServers = Wait,
        });

        var e = await TimedFailureAsync(client);

        Assert.Equal(CallFailureReason.RegistryUnreachable, e.Reason);
        Assert.StartsWith("registry unreachable: etcd", e.Message);
    }

    [Fact]
    public async Task ZooKeeper_Unreachable_WithoutWaitForServers_FailsAtTheDeadline_SayingRegistryUnreachable()
    {
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions
        {
            ZooKeeper = new ZooKeeperDiscoveryOptions { Hosts = $"127.0.0.1:{FreePort.Next()}", Service = "none" },
        });

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<NoServerAvailableException>(() =>
            client.CallAsync((c, ct) => c.pid(ct), new CallOptions { Timeout = TimeSpan.FromSeconds(1) }));

        output.WriteLine($"[test] {clock.Elapsed.TotalMilliseconds:0} ms: {e.Message}");
        Assert.Equal(CallFailureReason.RegistryUnreachable, e.Reason);
        Assert.StartsWith("registry unreachable: zookeeper", e.Message);
        Assert.False(e.RequestSent);
    }

    /// <summary>A call with a deadline far beyond the wait: it fails with NoServerAvailableException well before the deadline.</summary>
    private async Task<NoServerAvailableException> TimedFailureAsync(TunicornClient<testapp.TestService.Client> client)
    {
        var deadline = TimeSpan.FromSeconds(60);
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<NoServerAvailableException>(() => client.CallAsync((c, ct) => c.pid(ct), new CallOptions { Timeout = deadline }));
        output.WriteLine($"[test] WaitForServers {Wait.TotalMilliseconds:0} ms: failed after {clock.Elapsed.TotalMilliseconds:0} ms: {e.Message}");
        Assert.True(clock.Elapsed < deadline / 2, $"the call took {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.False(e.RequestSent);
        Assert.Null(e.Server);
        return e;
    }
}
