namespace Tunicorn.ZooKeeper.Tests.Unit;

public sealed class ZooKeeperAclsTests
{
    [Theory]
    // Expected values from Python: base64.b64encode(hashlib.sha1(b"user:password").digest()).
    [InlineData("bob", "pw", "bob:ikIaKsbtGweaHnb/jKn7OHqbunM=")]
    [InlineData("zoë", "pässword", "zoë:IpEcLzOpuu4idtzXgVPDdK5xK2I=")]
    public void DigestId_IsUserAndBase64Sha1OfUserColonPassword(string user, string password, string expected) =>
        Assert.Equal(expected, ZooKeeperAcls.DigestId(user, password));

    [Fact]
    public void DigestId_UserWithColon_Throws() =>
        Assert.Throws<ArgumentException>(() => ZooKeeperAcls.DigestId("a:b", "pw"));

    [Fact]
    public void WellKnownLists_MatchZooDefsIds()
    {
        Assert.Equal(new ZooKeeperAcl(ZooKeeperPermissions.All, "world", "anyone"), Assert.Single(ZooKeeperAcls.OpenUnsafe));
        Assert.Equal(new ZooKeeperAcl(ZooKeeperPermissions.Read, "world", "anyone"), Assert.Single(ZooKeeperAcls.ReadUnsafe));
        Assert.Equal(new ZooKeeperAcl(ZooKeeperPermissions.All, "auth", ""), Assert.Single(ZooKeeperAcls.CreatorAll));
        Assert.Equal(31, (int)ZooKeeperPermissions.All);
    }
}
