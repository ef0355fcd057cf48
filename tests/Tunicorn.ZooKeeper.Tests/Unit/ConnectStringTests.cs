using Tunicorn.ZooKeeper.Addressing;

namespace Tunicorn.ZooKeeper.Tests.Unit;

public sealed class ConnectStringTests
{
    [Fact]
    public void Parse_SeveralServersAndChroot_KeepsOrderAndChroot()
    {
        ConnectString parsed = ConnectString.Parse("127.0.0.1:2181,zk2.example:2182,[::1]:2183/app/prod");

        Assert.Equal([new ServerAddress("127.0.0.1", 2181), new ServerAddress("zk2.example", 2182), new ServerAddress("::1", 2183)], parsed.Servers);
        Assert.Equal("/app/prod", parsed.Chroot);
        Assert.Equal("[::1]:2183", parsed.Servers[2].ToString());
    }

    [Theory]
    [InlineData("zk1", "zk1", 2181, null)]
    [InlineData(" zk1:2999 ", "zk1", 2999, null)]
    [InlineData("[fe80::1]", "fe80::1", 2181, null)]
    [InlineData("zk1:2181/", "zk1", 2181, null)]
    [InlineData("zk1/chroot", "zk1", 2181, "/chroot")]
    public void Parse_OneServer_DefaultsPortAndReadsChroot(string text, string host, int port, string? chroot)
    {
        ConnectString parsed = ConnectString.Parse(text);

        Assert.Equal(new ServerAddress(host, port), Assert.Single(parsed.Servers));
        Assert.Equal(chroot, parsed.Chroot);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/chroot")]
    [InlineData("zk1,,zk2")]
    [InlineData("zk1:")]
    [InlineData("zk1:0")]
    [InlineData("zk1:65536")]
    [InlineData("zk1:port")]
    [InlineData("::1:2181")]
    [InlineData("[::1:2181")]
    [InlineData("[::1]2181")]
    [InlineData("zk1/chroot/")]
    [InlineData("zk1/a//b")]
    [InlineData("zk1/a/../b")]
    public void Parse_Malformed_ThrowsNamingTheString(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => ConnectString.Parse(text));
        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
    }
}
