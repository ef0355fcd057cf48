using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>Points this process's stdout and stderr (descriptors 1 and 2) at a file: capture_output.</summary>
internal static class StandardStreams
{
    /// <summary>
    /// Opens <paramref name="path"/> for appending (<see cref="AppendOnlyFile"/>) and makes descriptors 1 and 2 copies of
    /// it. Console.Out and Console.Error write to those descriptors, and a worker started afterwards inherits them.
    /// </summary>
    /// <remarks>
    /// O_APPEND, not .NET's FileMode.Append (PLATFORM-NOTES: it seeks once and opens without O_APPEND): master and
    /// workers all write into this one file, and each write must land at its end.
    /// </remarks>
    /// <exception cref="InteropException">dup2 failed; stdout and stderr are left as they were.</exception>
    /// <exception cref="IOException">The file cannot be opened (see <see cref="AppendOnlyFile.Open"/>).</exception>
    /// <exception cref="UnauthorizedAccessException">The process may not create or write the file.</exception>
    public static void RedirectToFile(string path)
    {
        // Closed at the end: dup2 leaves FD_CLOEXEC off on the copies, so workers inherit them as their stdout and stderr.
        using var file = AppendOnlyFile.Open(path);
        int fd = (int)file.DangerousGetHandle();
        if (Libc.dup2(fd, 1) < 0)
            throw new InteropException("dup2(stdout)", Marshal.GetLastPInvokeError());
        if (Libc.dup2(fd, 2) < 0)
            throw new InteropException("dup2(stderr)", Marshal.GetLastPInvokeError());
    }
}
