using System.Net;
using Tunicorn.Client.Discovery;

namespace Tunicorn.Tests.Client;

public sealed class DnsRecordsTests
{
    [Fact]
    public void FromAddresses_DuplicatesAndBothFamilies_OneServerPerAddress_OrderedById_OnThePort()
    {
        var servers = DnsRecords.FromAddresses([IPAddress.Parse("10.0.0.2"), IPAddress.Parse("::1"), IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2")], 9090);

        Assert.Equal(["10.0.0.1:9090", "10.0.0.2:9090", "[::1]:9090"], servers.Select(s => s.Id));
        Assert.All(servers, s => Assert.Equal((9090, 1), (s.Port, s.Weight)));
        Assert.Equal("::1", servers[2].Host);
    }

    [Fact]
    public void FromSrv_LowestPriorityGetsItsWeight_HigherPrioritiesAreBackupsOfWeightZero_AndWeightZeroCountsAsOne()
    {
        var servers = DnsRecords.FromSrv(
        [
            new DnsSrvTarget("b.example", 9091, Priority: 10, Weight: 60, [IPAddress.Parse("10.0.0.2")]),
            new DnsSrvTarget("a.example", 9090, Priority: 10, Weight: 0, [IPAddress.Parse("10.0.0.1")]),
            new DnsSrvTarget("backup.example", 9090, Priority: 20, Weight: 5, [IPAddress.Parse("10.0.0.9")]),
        ]);

        Assert.Equal([("10.0.0.1:9090", 1), ("10.0.0.2:9091", 60), ("10.0.0.9:9090", 0)], servers.Select(s => (s.Id, s.Weight)));
    }

    [Fact]
    public void FromSrv_ATargetWithoutAddress_IsLeftOut_AndAnAddressNamedTwice_CountsOnceAtItsBestPriority()
    {
        var servers = DnsRecords.FromSrv(
        [
            new DnsSrvTarget("gone.example", 9090, 1, 1, []),
            new DnsSrvTarget("x.example", 9090, 5, 3, [IPAddress.Parse("10.0.0.1")]),
            new DnsSrvTarget("alias.example", 9090, 2, 7, [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.3")]),
        ]);

        Assert.Equal([("10.0.0.1:9090", 7), ("10.0.0.3:9090", 7)], servers.Select(s => (s.Id, s.Weight)));
    }

    [Fact]
    public void FromSrv_NoRecords_NoServer() => Assert.Empty(DnsRecords.FromSrv([]));

    [Fact]
    public void SameSet_ComparesAddressesAndWeights()
    {
        var one = DnsRecords.FromSrv([new DnsSrvTarget("a", 1, 0, 1, [IPAddress.Loopback])]);
        var same = DnsRecords.FromAddresses([IPAddress.Loopback], 1);
        var heavier = DnsRecords.FromSrv([new DnsSrvTarget("a", 1, 0, 2, [IPAddress.Loopback])]);

        Assert.True(DnsRecords.SameSet(one, same));
        Assert.False(DnsRecords.SameSet(one, heavier));
        Assert.False(DnsRecords.SameSet(one, []));
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1:53")]
    [InlineData("127.0.0.1:5353", "127.0.0.1:5353")]
    [InlineData("::1", "[::1]:53")]
    [InlineData("[::1]:5353", "[::1]:5353")]
    public void ParseNameServer_AddressWithOrWithoutPort(string text, string endPoint) =>
        Assert.Equal(endPoint, DnsRecords.ParseNameServer(text).ToString());

    [Theory]
    [InlineData("dns.example")]
    [InlineData("127.0.0.1:0")]
    [InlineData("")]
    public void ParseNameServer_NotAnAddress_Throws(string text) => Assert.Throws<FormatException>(() => DnsRecords.ParseNameServer(text));

    [Fact]
    public void HostName_DropsTheRootDot() => Assert.Equal("a.example", DnsRecords.HostName("a.example."));
}
