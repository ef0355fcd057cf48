using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>Parent pid, umask and user/group switching for worker processes.</summary>
internal static class ProcessIdentity
{
    public static int ParentPid => Libc.getppid();

    public static void SetUmask(int mask) => Libc.umask((uint)mask);

    /// <summary>
    /// Resolves a user name or numeric id to (uid, primary gid). The primary gid is the one /etc/passwd gives the user
    /// (as gunicorn); a numeric id with no entry there has no primary group, so it gets the group of the same number
    /// rather than keeping root's.
    /// </summary>
    public static (uint Uid, uint Gid) LookupUser(string user)
    {
        bool numeric = uint.TryParse(user, out uint id);
        nint pw = numeric ? Libc.getpwuid(id) : Libc.getpwnam(user);
        if (pw == 0)
            return numeric ? (id, id) : throw new ArgumentException($"no such user: '{user}'");
        // struct passwd: char* pw_name; char* pw_passwd; uid_t pw_uid; gid_t pw_gid; ...
        int uidOffset = 2 * IntPtr.Size;
        return ((uint)Marshal.ReadInt32(pw, uidOffset), (uint)Marshal.ReadInt32(pw, uidOffset + 4));
    }

    public static uint LookupGroup(string group)
    {
        if (uint.TryParse(group, out uint gid))
            return gid;
        nint gr = Libc.getgrnam(group);
        if (gr == 0)
            throw new ArgumentException($"no such group: '{group}'");
        // struct group: char* gr_name; char* gr_passwd; gid_t gr_gid; ...
        return (uint)Marshal.ReadInt32(gr, 2 * IntPtr.Size);
    }

    /// <summary>
    /// The uid and gid a worker runs as under the user and group settings: the group named, else the user's primary
    /// group; null where the setting leaves the id as it is.
    /// </summary>
    public static (uint? Uid, uint? Gid) ResolveWorkerIds(string? user, string? group)
    {
        (uint Uid, uint Gid)? named = user is null ? null : LookupUser(user);
        uint? gid = group is null ? named?.Gid : LookupGroup(group);
        return (named?.Uid, gid);
    }

    /// <summary>
    /// Drops to <paramref name="uid"/>/<paramref name="gid"/>: supplementary groups first, then gid, then uid. The
    /// supplementary groups are those of <paramref name="initgroupsUser"/> in /etc/group (initgroups(3)) when given, none
    /// otherwise, so that a worker keeps none of root's groups.
    /// </summary>
    /// <param name="initgroupsUser">A user name or numeric id whose groups to take, or null for no supplementary group.</param>
    public static unsafe void SwitchTo(uint? uid, uint? gid, string? initgroupsUser = null)
    {
        if (gid is uint g)
        {
            if (initgroupsUser is not null)
            {
                string name = UserNameOf(initgroupsUser);
                if (Libc.initgroups(name, g) != 0)
                    throw new InteropException("initgroups", Marshal.GetLastPInvokeError());
            }
            else if (Libc.setgroups(0, null) != 0)
            {
                throw new InteropException("setgroups", Marshal.GetLastPInvokeError());
            }
            if (Libc.setgid(g) != 0)
                throw new InteropException("setgid", Marshal.GetLastPInvokeError());
        }
        if (uid is uint u && Libc.setuid(u) != 0)
            throw new InteropException("setuid", Marshal.GetLastPInvokeError());
    }

    /// <summary>The login name of a user given by name or numeric id (initgroups(3) takes a name).</summary>
    private static string UserNameOf(string user)
    {
        if (!uint.TryParse(user, out uint uid))
            return user;
        nint pw = Libc.getpwuid(uid);
        // struct passwd starts with char* pw_name.
        return pw == 0 ? throw new ArgumentException($"initgroups: no user with id {uid} in /etc/passwd, so no groups to take")
            : Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(pw)) ?? throw new ArgumentException($"initgroups: user {uid} has no name");
    }

    /// <summary>Sets the thread name shown by ps/top (15 bytes at most), e.g. "tunicorn:worker".</summary>
    public static unsafe void SetThreadName(string name)
    {
        byte[] bytes = new byte[16];
        System.Text.Encoding.UTF8.GetBytes(name.AsSpan(0, Math.Min(name.Length, 15)), bytes);
        fixed (byte* p = bytes)
            Libc.prctl(Libc.PR_SET_NAME, (nint)p, 0, 0, 0);
    }
}
