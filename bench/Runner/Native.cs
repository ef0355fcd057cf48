using System.Runtime.InteropServices;

namespace Tunicorn.Bench.Runner;

/// <summary>kill(2): the runner stops servers by pid with a real signal (Process.Kill only sends SIGKILL).</summary>
public static partial class Native
{
    public const int SIGKILL = 9, SIGTERM = 15, SIGTTIN = 21;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    /// <summary>Sends <paramref name="signal"/>; false when the process no longer exists.</summary>
    public static bool Kill(int pid, int signal) => KillNative(pid, signal) == 0;
}
