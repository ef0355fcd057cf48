namespace Tunicorn.ZooKeeper;

/// <summary>What an ACL entry allows (ZooDefs.Perms; the bit values are the wire values).</summary>
[Flags]
public enum ZooKeeperPermissions
{
    None = 0,
    Read = 1,
    Write = 2,
    Create = 4,
    Delete = 8,
    Admin = 16,
    All = Read | Write | Create | Delete | Admin,
}
