using Tunicorn.Client.Discovery;

namespace Tunicorn.Tests.Client;

public sealed class DnsDiscoveryTests
{
    [Theory]
    [InlineData(null, null, null)]
    [InlineData("a.example", null, null)]
    [InlineData("a.example", 0, null)]
    [InlineData("a.example", 9090, "_thrift._tcp.a.example")]
    public void Options_NeitherOrBothNames_OrHostWithoutPort_Throw(string? host, int? port, string? srv) =>
        Assert.Throws<ArgumentException>(() => new DnsDiscovery(new DnsDiscoveryOptions { Host = host, Port = port, SrvName = srv }));

    [Fact]
    public void Options_NoRefreshInterval_Throws() =>
        Assert.Throws<ArgumentException>(() => new DnsDiscovery(new DnsDiscoveryOptions { Host = "a.example", Port = 1, RefreshInterval = TimeSpan.Zero }));

    [Fact]
    public void Description_SaysRecordKindNameAndNameServer()
    {
        var srv = new DnsDiscovery(new DnsDiscoveryOptions { SrvName = "_thrift._tcp.calc.example", NameServers = ["127.0.0.1:5353"] });
        var host = new DnsDiscovery(new DnsDiscoveryOptions { Host = "calc.example", Port = 9090 });

        Assert.Equal("dns SRV _thrift._tcp.calc.example via 127.0.0.1:5353", srv.Description);
        Assert.Equal("dns A/AAAA calc.example:9090", host.Description);
    }

    [Fact]
    public async Task Start_AnAddressLiteral_PublishesItOnItsPort_WithoutAsking()
    {
        await using var discovery = new DnsDiscovery(new DnsDiscoveryOptions { Host = "127.0.0.1", Port = 9090, NameServers = ["127.0.0.1:9"] });
        var published = new TaskCompletionSource<IReadOnlyList<ServiceInstance>>(TaskCreationOptions.RunContinuationsAsynchronously);

        await discovery.StartAsync(servers => published.TrySetResult(servers), CancellationToken.None);

        var servers = await published.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["127.0.0.1:9090"], servers.Select(s => s.Address));
    }
}
