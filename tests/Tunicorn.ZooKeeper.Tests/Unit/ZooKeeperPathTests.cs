using Tunicorn.ZooKeeper.Addressing;

namespace Tunicorn.ZooKeeper.Tests.Unit;

public sealed class ZooKeeperPathTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/a")]
    [InlineData("/services/calc/member-0000000001")]
    [InlineData("/with space/ünïcode")]
    public void Check_ValidPaths_Pass(string path) => Assert.Null(ZooKeeperPath.Check(path, sequential: false));

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("a/b", "does not start with '/'")]
    [InlineData("/a/", "ends with '/'")]
    [InlineData("//a", "empty name")]
    [InlineData("/a/./b", "relative name")]
    [InlineData("/a/..", "relative name")]
    [InlineData("/a\u0000b", "U+0000")]
    [InlineData("/a\u001fb", "U+001F")]
    [InlineData("/a\ue000b", "U+E000")]
    [InlineData("/a\ufff0", "U+FFF0")]
    public void Check_InvalidPaths_SayWhy(string path, string reason) =>
        Assert.Contains(reason, ZooKeeperPath.Check(path, sequential: false), StringComparison.Ordinal);

    [Fact]
    public void Check_SequentialPrefixEndingInSlash_Passes()
    {
        Assert.Null(ZooKeeperPath.Check("/queue/", sequential: true));
        Assert.NotNull(ZooKeeperPath.Check("/queue//", sequential: true));
    }

    [Theory]
    [InlineData(null, "/a", "/a")]
    [InlineData("/app", "/", "/app")]
    [InlineData("/app", "/a/b", "/app/a/b")]
    public void ToServer_PrependsTheChroot(string? chroot, string path, string expected) =>
        Assert.Equal(expected, ZooKeeperPath.ToServer(chroot, path));

    [Theory]
    [InlineData(null, "/a", "/a")]
    [InlineData("/app", "/app", "/")]
    [InlineData("/app", "/app/a/b", "/a/b")]
    [InlineData("/app", "/application", "/application")]
    public void ToClient_StripsTheChroot(string? chroot, string serverPath, string expected) =>
        Assert.Equal(expected, ZooKeeperPath.ToClient(chroot, serverPath));
}
