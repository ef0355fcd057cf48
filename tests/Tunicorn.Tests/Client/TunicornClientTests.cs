using Tunicorn.Client;
using Tunicorn.Client.Discovery;

namespace Tunicorn.Tests.Client;

public sealed class TunicornClientTests
{
    [Fact]
    public async Task Servers_OneAddressAnnouncedTwice_IsOneServer()
    {
        var discovery = new ManualDiscovery();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { Discovery = discovery });
        await client.StartAsync();

        discovery.Publish(
            new ServiceInstance("/s/member_0000000001", "10.0.0.1", 9090),
            new ServiceInstance("/s/member_0000000002", "10.0.0.1", 9090),
            new ServiceInstance("/s/member_0000000003", "10.0.0.2", 9090));

        Assert.Equal(["/s/member_0000000001", "/s/member_0000000003"], client.Servers.Select(s => s.Id));
    }

    [Fact]
    public async Task Call_NoServerWithinTheDeadline_FailsWithNoServerAvailable_NothingSent()
    {
        var discovery = new ManualDiscovery();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { Discovery = discovery });

        var e = await Assert.ThrowsAsync<NoServerAvailableException>(() =>
            client.CallAsync((c, ct) => Task.FromResult(c.SeqId), new CallOptions { Timeout = TimeSpan.FromMilliseconds(100) }));

        Assert.False(e.RequestSent);
        Assert.Null(e.Server);
        Assert.Equal(CallFailureReason.RegistryUnreachable, e.Reason);
        Assert.Contains("registry unreachable: manual has not answered", e.Message);
    }

    [Fact]
    public async Task Call_WaitForServers_DiscoveryNeverAnswered_FailsFastAsRegistryUnreachable()
    {
        var discovery = new ManualDiscovery();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions
        {
            Discovery = discovery,
            WaitForServers = TimeSpan.FromMilliseconds(50),
        });

        var call = client.CallAsync((c, ct) => Task.FromResult(c.SeqId), new CallOptions { Timeout = TimeSpan.FromMinutes(5) });

        // Within the test's patience, far below the five-minute deadline.
        var e = await Assert.ThrowsAsync<NoServerAvailableException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(CallFailureReason.RegistryUnreachable, e.Reason);
    }

    [Fact]
    public async Task Call_WaitForServers_DiscoveryAnsweredWithNone_FailsFastAsNoServersRegistered()
    {
        var discovery = new ManualDiscovery();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions
        {
            Discovery = discovery,
            WaitForServers = TimeSpan.FromMilliseconds(50),
        });
        await client.StartAsync();
        discovery.Publish();

        var e = await Assert.ThrowsAsync<NoServerAvailableException>(() =>
            client.CallAsync((c, ct) => Task.FromResult(c.SeqId), new CallOptions { Timeout = TimeSpan.FromMinutes(5) }).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(CallFailureReason.NoServerRegistered, e.Reason);
        Assert.Contains("no servers registered: manual answered with no server", e.Message);
    }

    [Fact]
    public async Task Call_ServerAppearsWhileWaiting_IsTried()
    {
        var discovery = new ManualDiscovery();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { Discovery = discovery });
        await client.StartAsync();

        var call = client.CallAsync((c, ct) => Task.FromResult(c.SeqId), new CallOptions { Timeout = TimeSpan.FromSeconds(10) });
        Assert.False(call.IsCompleted);
        // Port 1 on loopback refuses: the call fails over to nothing else and reports it, without having sent anything.
        discovery.Publish(new ServiceInstance("one", "127.0.0.1", 1));

        var e = await Assert.ThrowsAsync<NoServerAvailableException>(() => call);
        Assert.Contains("none of the 1 servers from manual accepted a connection", e.Message);
    }

    [Fact]
    public async Task Dispose_Twice_DoesNothingTheSecondTime_AndUseAfterDispose_NamesTheClient()
    {
        var discovery = new ManualDiscovery();
        var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { Discovery = discovery });
        await client.StartAsync();

        await client.DisposeAsync();
        await client.DisposeAsync();

        Assert.Equal(1, discovery.Disposals);
        var call = await Assert.ThrowsAsync<ObjectDisposedException>(() => client.CallAsync((c, ct) => Task.FromResult(c.SeqId)));
        Assert.Contains("TunicornClient<Tunicorn.Tests.Client.FakeThriftClient> of manual", call.ObjectName);
        var lease = await Assert.ThrowsAsync<ObjectDisposedException>(() => client.LeaseAsync());
        Assert.Contains("TunicornClient<", lease.ObjectName);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.StartAsync());
    }

    [Fact]
    public async Task SharedDiscovery_TwoClients_StartedOnce_DisposingOneLeavesTheOtherUpdated_TheLastOneDisposesIt()
    {
        var discovery = new ManualDiscovery();
        var first = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { Discovery = discovery });
        var second = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { Discovery = discovery });
        await first.StartAsync();
        discovery.Publish(new ServiceInstance("a", "10.0.0.1", 9090));
        // A client that starts late gets the latest set at once.
        await second.StartAsync();
        Assert.Equal(["a"], second.Servers.Select(s => s.Id));

        await first.DisposeAsync();
        discovery.Publish(new ServiceInstance("a", "10.0.0.1", 9090), new ServiceInstance("b", "10.0.0.2", 9090));

        Assert.Equal(["a", "b"], second.Servers.Select(s => s.Id));
        Assert.Equal(1, discovery.Starts);
        Assert.Equal(0, discovery.Disposals);
        await second.DisposeAsync();
        Assert.Equal(1, discovery.Disposals);
    }

    [Fact]
    public async Task SharedDiscovery_DisposeDiscoveryFalse_IsLeftToTheCaller_AndServesALaterClient()
    {
        var discovery = new ManualDiscovery();
        var options = new TunicornClientOptions { Discovery = discovery, DisposeDiscovery = false };
        await using (var first = new TunicornClient<FakeThriftClient>(options))
        {
            await first.StartAsync();
            discovery.Publish(new ServiceInstance("a", "10.0.0.1", 9090));
        }

        await using var later = new TunicornClient<FakeThriftClient>(options);
        await later.StartAsync();

        Assert.Equal(["a"], later.Servers.Select(s => s.Id));
        Assert.Equal(0, discovery.Disposals);
    }

    [Fact]
    public async Task SharedDiscovery_DisposedWithItsLastClient_ALaterClientIsToldWhy()
    {
        var discovery = new ManualDiscovery();
        await new TunicornClient<FakeThriftClient>(new TunicornClientOptions { Discovery = discovery }).DisposeAsync();

        var e = Assert.Throws<ObjectDisposedException>(() => new TunicornClient<FakeThriftClient>(new TunicornClientOptions { Discovery = discovery }));

        Assert.Contains("DisposeDiscovery = false", e.Message);
    }

    [Fact]
    public async Task Options_Servers_TheClientCreatesAndOwnsAStaticDiscovery()
    {
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { Servers = ["127.0.0.1:1", "127.0.0.1:2"] });

        await client.StartAsync();

        Assert.Equal(["127.0.0.1:1", "127.0.0.1:2"], client.Servers.Select(s => s.Address));
    }

    [Fact]
    public void Options_NoSourceOrTwo_AreRefused()
    {
        Assert.Contains("exactly one of Discovery, ZooKeeper, Etcd and Servers", Assert.Throws<ArgumentException>(() =>
            new TunicornClient<FakeThriftClient>(new TunicornClientOptions())).Message);
        Assert.Throws<ArgumentException>(() =>
            new TunicornClient<FakeThriftClient>(new TunicornClientOptions { Servers = ["127.0.0.1:1"], Discovery = new ManualDiscovery() }));
    }
}
