using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>Points this process's stdout and stderr (descriptors 1 and 2) at a file: capture_output.</summary>
internal static class StandardStreams
{
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
        int fd = Libc.open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND | Libc.O_CLOEXEC, 0b110_100_100);
        if (fd < 0)
            throw new InteropException($"open({path})", Marshal.GetLastPInvokeError());
        try
        {
            // dup2 leaves FD_CLOEXEC off on the copies, so workers inherit them as their own stdout and stderr.
            if (Libc.dup2(fd, 1) < 0)
                throw new InteropException("dup2(stdout)", Marshal.GetLastPInvokeError());
            if (Libc.dup2(fd, 2) < 0)
                throw new InteropException("dup2(stderr)", Marshal.GetLastPInvokeError());
        }
        finally
        {
            Libc.close(fd);
        }
    }
}
