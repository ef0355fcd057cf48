using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>The process's open-file limit and how many descriptors it holds, for the worker's start-up check.</summary>
internal static partial class ResourceLimits
{
    private const int RLIMIT_NOFILE = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);

    /// <summary>
    /// RLIMIT_NOFILE (soft, hard); <see cref="ulong.MaxValue"/> for unlimited. PLATFORM-NOTES: the .NET runtime has
    /// already raised the soft limit to the hard one, so the soft limit is what accept will hit.
    /// </summary>
    public static (ulong Soft, ulong Hard) OpenFiles()
    {
        if (getrlimit(RLIMIT_NOFILE, out RLimit limit) != 0)
            throw new InteropException("getrlimit(RLIMIT_NOFILE)", Marshal.GetLastPInvokeError());
        return (limit.Current, limit.Maximum);
    }

    /// <summary>Descriptors open in this process now (entries of /proc/self/fd, less the one listing them), or -1 when unknown.</summary>
    public static int OpenDescriptors()
    {
        try
        {
            return Math.Max(0, Directory.GetFileSystemEntries("/proc/self/fd").Length - 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
