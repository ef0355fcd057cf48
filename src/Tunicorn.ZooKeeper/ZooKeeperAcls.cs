using System.Security.Cryptography;
using System.Text;

namespace Tunicorn.ZooKeeper;

/// <summary>The usual ACL lists (ZooDefs.Ids) and digest identities.</summary>
public static class ZooKeeperAcls
{
    /// <summary>Anyone may do anything.</summary>
    public static IReadOnlyList<ZooKeeperAcl> OpenUnsafe { get; } = [new(ZooKeeperPermissions.All, "world", "anyone")];

    /// <summary>Anyone may read; nobody may change the node (nor its ACL).</summary>
    public static IReadOnlyList<ZooKeeperAcl> ReadUnsafe { get; } = [new(ZooKeeperPermissions.Read, "world", "anyone")];

    /// <summary>
    /// Only the identities authenticated on the creating connection (see <see cref="ZooKeeperClient.AddDigestAuthAsync"/>)
    /// may do anything: the server replaces the "auth" entry with them. Without any authentication the create fails with InvalidAcl.
    /// </summary>
    public static IReadOnlyList<ZooKeeperAcl> CreatorAll { get; } = [new(ZooKeeperPermissions.All, "auth", string.Empty)];

    /// <summary>An entry for the digest user <paramref name="user"/> with password <paramref name="password"/>.</summary>
    public static ZooKeeperAcl Digest(string user, string password, ZooKeeperPermissions permissions) =>
        new(permissions, "digest", DigestId(user, password));

    /// <summary>
    /// The digest scheme's identity: <c>user:base64(sha1("user:password"))</c>, as the server computes it from what a
    /// client authenticated with (DigestAuthenticationProvider). SHA-1 is the scheme's, not a choice made here.
    /// </summary>
    public static string DigestId(string user, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentNullException.ThrowIfNull(password);
        if (user.Contains(':'))
            throw new ArgumentException($"digest user '{user}' contains ':', which separates user from password", nameof(user));
        byte[] hash = SHA1.HashData(Encoding.UTF8.GetBytes($"{user}:{password}"));
        return $"{user}:{Convert.ToBase64String(hash)}";
    }
}
