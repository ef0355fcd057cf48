using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>Reads a path's <see cref="FileKind"/> with statx(2).</summary>
internal static class FileKinds
{
    private const int S_IFMT = 0xF000;
    private const int S_IFSOCK = 0xC000;
    private const int S_IFLNK = 0xA000;
    private const int S_IFREG = 0x8000;
    private const int S_IFDIR = 0x4000;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    /// <summary>Offset of stx_mode (u16) in struct statx, fixed by the kernel ABI.</summary>
    private const int ModeOffset = 28;

    /// <exception cref="InteropException">statx failed for another reason than a missing path (EACCES, ELOOP...).</exception>
    public static unsafe FileKind Of(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (Libc.statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_TYPE, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno is ENOENT or ENOTDIR ? FileKind.Missing : throw new InteropException("statx", errno);
        }
        return (*(ushort*)(buffer + ModeOffset) & S_IFMT) switch
        {
            S_IFSOCK => FileKind.Socket,
            S_IFLNK => FileKind.SymbolicLink,
            S_IFREG => FileKind.RegularFile,
            S_IFDIR => FileKind.Directory,
            _ => FileKind.Other,
        };
    }

    /// <summary>Offset of stx_uid (u32) in struct statx.</summary>
    private const int UidOffset = 20;
    private const uint STATX_UID = 0x8;

    /// <summary>The uid owning <paramref name="path"/> (not following a symbolic link), or null when it cannot be read.</summary>
    public static unsafe uint? OwnerOf(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (Libc.statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, STATX_UID, buffer) != 0)
            return null;
        return *(uint*)(buffer + UidOffset);
    }
}
