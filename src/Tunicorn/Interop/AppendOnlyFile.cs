using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tunicorn.Interop;

/// <summary>
/// A file that the master and every worker append lines to at once: opened with O_APPEND, written one line per
/// write(2), so no process overwrites another's lines and no line is split.
/// </summary>
/// <remarks>
/// PLATFORM-NOTES: FileMode.Append opens without O_APPEND (it seeks to the end once), so each process would write
/// at its own offset over the others' lines.
/// </remarks>
internal static class AppendOnlyFile
{
    /// <summary>Opens (creating it when missing) <paramref name="path"/> for appending.</summary>
    /// <exception cref="UnauthorizedAccessException">The process may not create or write the file.</exception>
    /// <exception cref="IOException">Any other reason the file cannot be opened.</exception>
    public static SafeFileHandle Open(string path)
    {
        // Write-only, never locked: other processes (workers, logrotate, tail) keep their access.
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            int fd = (int)handle.DangerousGetHandle();
            int flags = Libc.fcntl(fd, Libc.F_GETFL, 0);
            if (flags < 0 || Libc.fcntl(fd, Libc.F_SETFL, flags | Libc.O_APPEND) < 0)
                throw new IOException($"cannot append to {path}: " + new InteropException("fcntl(F_SETFL, O_APPEND)", Marshal.GetLastPInvokeError()).Message);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> with one write(2) (more only if the kernel takes part of it, e.g. on a full
    /// disk). False when the kernel refused it: the caller decides whether a lost line matters.
    /// </summary>
    public static unsafe bool Write(SafeFileHandle handle, ReadOnlySpan<byte> bytes)
    {
        int fd = (int)handle.DangerousGetHandle();
        fixed (byte* start = bytes)
        {
            byte* next = start;
            nuint left = (nuint)bytes.Length;
            while (left > 0)
            {
                nint written = Libc.write(fd, next, left);
                if (written < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Libc.EINTR)
                        continue;
                    return false;
                }
                next += written;
                left -= (nuint)written;
            }
        }
        return true;
    }

    /// <summary>True when this process may give files to other users (it runs as root).</summary>
    public static bool CanChangeOwners => Libc.geteuid() == 0;

    /// <summary>True when the open file is a regular file (not /dev/null, a pipe or a terminal).</summary>
    /// <exception cref="InteropException">statx failed.</exception>
    public static unsafe bool IsRegularFile(SafeFileHandle handle)
    {
        byte* buffer = stackalloc byte[Libc.StatxSize];
        if (Libc.statx((int)handle.DangerousGetHandle(), "", Libc.AT_EMPTY_PATH, Libc.STATX_TYPE, buffer) != 0)
            throw new InteropException("statx", Marshal.GetLastPInvokeError());
        return (*(ushort*)(buffer + Libc.StatxModeOffset) & Libc.S_IFMT) == Libc.S_IFREG;
    }

    /// <summary>Gives the open file to <paramref name="uid"/>/<paramref name="gid"/> (null keeps that id).</summary>
    /// <exception cref="InteropException">fchown failed.</exception>
    public static void ChangeOwner(SafeFileHandle handle, uint? uid, uint? gid)
    {
        // (uid_t)-1 leaves an id unchanged.
        if (Libc.fchown((int)handle.DangerousGetHandle(), uid ?? uint.MaxValue, gid ?? uint.MaxValue) != 0)
            throw new InteropException("fchown", Marshal.GetLastPInvokeError());
    }
}
