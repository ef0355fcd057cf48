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
    public async Task Call_NoServerWithinTheDeadline_FailsWithCallTimeout_NothingSent()
    {
        var discovery = new ManualDiscovery();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { Discovery = discovery });

        var e = await Assert.ThrowsAsync<CallTimeoutException>(() =>
            client.CallAsync((c, ct) => Task.FromResult(c.SeqId), new CallOptions { Timeout = TimeSpan.FromMilliseconds(100) }));

        Assert.False(e.RequestSent);
        Assert.Contains("no server from manual yet", e.Message);
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
}
