using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Tunicorn.TestSupport;

/// <summary>Sends signals by pid (SIGSTOP freezes a server without closing its sockets: a server that stops answering).</summary>
public static partial class UnixSignals
{
    public const int Kill = 9;
    public const int Continue = 18;
    public const int Stop = 19;

    public static void Send(int pid, int signal)
    {
        if (SysKill(pid, signal) != 0)
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"kill({pid}, {signal}) failed");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);
}
