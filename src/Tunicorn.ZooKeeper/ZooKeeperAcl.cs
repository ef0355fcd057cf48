namespace Tunicorn.ZooKeeper;

/// <summary>One ACL entry: who (<paramref name="Scheme"/> and <paramref name="Id"/>) may do what.</summary>
/// <param name="Scheme">"world" (Id "anyone"), "auth" (whoever is authenticated on the creating connection), "digest", "ip"…</param>
/// <param name="Id">The identity in that scheme; for "digest", <c>user:base64(sha1("user:password"))</c> (see <see cref="ZooKeeperAcls.DigestId"/>).</param>
public sealed record ZooKeeperAcl(ZooKeeperPermissions Permissions, string Scheme, string Id)
{
    public override string ToString() => $"{Scheme}:{Id}={Permissions}";
}
