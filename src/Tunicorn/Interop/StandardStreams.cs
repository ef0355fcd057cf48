using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>Points this process's stdout and stderr (descriptors 1 and 2) at a file: capture_output.</summary>
internal static partial class StandardStreams
{
    private const int O_WRONLY = 0x1;
    private const int O_CREAT = 0x40;
    private const int O_APPEND = 0x400;
    private const int O_CLOEXEC = 0x80000;

    /// <summary>
    /// Opens <paramref name="path"/> for appending and makes descriptors 1 and 2 copies of it. Console.Out and
    /// Console.Error write to those descriptors, and a worker started afterwards inherits them.
    /// </summary>
    /// <remarks>
    /// O_APPEND, not .NET's FileMode.Append (PLATFORM-NOTES: it seeks once and opens without O_APPEND): master and
    /// workers all write into this one file, and each write must land at its end.
    /// </remarks>
    /// <exception cref="InteropException">open or dup2 failed; stdout and stderr are left as they were.</exception>
    public static void RedirectToFile(string path)
    {
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0b110_100_100);
        if (fd < 0)
            throw new InteropException($"open({path})", Marshal.GetLastPInvokeError());
        try
        {
            // dup2 leaves FD_CLOEXEC off on the copies, so workers inherit them as their own stdout and stderr.
            if (dup2(fd, 1) < 0)
                throw new InteropException("dup2(stdout)", Marshal.GetLastPInvokeError());
            if (dup2(fd, 2) < 0)
                throw new InteropException("dup2(stderr)", Marshal.GetLastPInvokeError());
        }
        finally
        {
            close(fd);
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup2(int oldfd, int newfd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
