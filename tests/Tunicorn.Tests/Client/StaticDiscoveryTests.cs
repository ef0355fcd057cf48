using Tunicorn.Client.Discovery;

namespace Tunicorn.Tests.Client;

public sealed class StaticDiscoveryTests
{
    [Theory]
    [InlineData("127.0.0.1:9090", "127.0.0.1", 9090)]
    [InlineData("svc.example:1", "svc.example", 1)]
    [InlineData("[::1]:9091", "::1", 9091)]
    public void Parse_Address_SplitsHostAndPort(string address, string host, int port)
    {
        var instance = StaticDiscovery.Parse(address);

        Assert.Equal((host, port, address), (instance.Host, instance.Port, instance.Id));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("::1:9090")]
    [InlineData("[::1]9090")]
    public void Parse_BadAddress_Throws(string address) => Assert.Throws<FormatException>(() => StaticDiscovery.Parse(address));

    [Fact]
    public async Task Start_CommaSeparatedList_ReportsEveryServerOnce()
    {
        await using var discovery = new StaticDiscovery("127.0.0.1:1, 127.0.0.1:2", "127.0.0.1:3");
        IReadOnlyList<ServiceInstance>? seen = null;

        await discovery.StartAsync(servers => seen = servers, CancellationToken.None);

        Assert.Equal(["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"], seen!.Select(s => s.Address));
    }
}
