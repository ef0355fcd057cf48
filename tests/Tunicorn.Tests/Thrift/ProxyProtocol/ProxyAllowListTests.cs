using System.Net;
using System.Net.Sockets;
using Tunicorn.Config;
using Tunicorn.Thrift.ProxyProtocol;

namespace Tunicorn.Tests.Thrift.ProxyProtocol;

public sealed class ProxyAllowListTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)] // a dual-stack listener's view of an IPv4 peer
    [InlineData("127.0.0.2", false)]
    [InlineData("10.0.0.1", false)]
    public void Default_AllowsLoopbackOnly(string peer, bool allowed) =>
        Assert.Equal(allowed, new ProxyAllowList(ProxyAllowList.Default).Allows(new IPEndPoint(IPAddress.Parse(peer), 40000)));

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("10.255.255.255", true)]
    [InlineData("11.0.0.1", false)]
    [InlineData("fd00::17", true)]
    [InlineData("fe80::1", false)]
    [InlineData("192.0.2.7", true)]
    [InlineData("192.0.2.8", false)]
    public void Networks_AllowTheirAddresses(string peer, bool allowed)
    {
        var list = new ProxyAllowList(["10.0.0.0/8", "fd00::/8", "192.0.2.7"]);
        Assert.Equal(allowed, list.Allows(new IPEndPoint(IPAddress.Parse(peer), 1)));
    }

    [Fact]
    public void Star_AllowsEveryone() =>
        Assert.True(new ProxyAllowList(["10.0.0.1", "*"]).Allows(new IPEndPoint(IPAddress.Parse("203.0.113.5"), 1)));

    [Fact]
    public void UnixSocketPeers_AreAllowed_AsInGunicorn()
    {
        Assert.True(new ProxyAllowList(["10.0.0.1"]).Allows(new UnixDomainSocketEndPoint("/tmp/x.sock")));
        Assert.False(new ProxyAllowList(["10.0.0.1"]).Allows((EndPoint?)null));
    }

    [Theory]
    [InlineData("10.0.0.1/8", "not a CIDR network")]
    [InlineData("localhost", "not an IP address")]
    [InlineData("", "not an IP address")]
    [InlineData("1", "not an IP address")]
    public void ParseEntry_RejectsWhatIsNoAddressOrNetwork(string entry, string reason)
    {
        var error = Assert.Throws<FormatException>(() => ProxyAllowList.ParseEntry(entry));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Setting_TakesGunicornsCommaSeparatedForm_AndDefaultsToLoopback()
    {
        Assert.Equal(["127.0.0.1", "::1"], new Settings().ProxyAllowIps);
        Assert.False(new Settings().ProxyProtocol);
        object? parsed = ServerSettings.ProxyAllowIps.Parse(["127.0.0.1, 10.0.0.0/8", "fd00::/8"]);
        Assert.Equal(["127.0.0.1", "10.0.0.0/8", "fd00::/8"], (IReadOnlyList<string>)parsed!);
        var error = Assert.Throws<SettingValueException>(() => ServerSettings.ProxyAllowIps.Parse(["127.0.0.1,10.0.0.1/8"]));
        Assert.Contains("not a CIDR network", error.Message, StringComparison.Ordinal);
    }
}
