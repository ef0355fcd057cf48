using System.Runtime.InteropServices;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>kill(2), so that tests signal exactly one process, by pid (never by name).</summary>
internal static partial class Posix
{
    private const int Esrch = 3;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when no such process exists any more.</summary>
    public static bool Kill(int pid, UnixSignal signal)
    {
        if (pid <= 0)
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "refusing to signal a process group or every process");
        if (NativeKill(pid, (int)signal) == 0)
            return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == Esrch)
            return false;
        throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {errno}");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int NativeKill(int pid, int signal);
}
