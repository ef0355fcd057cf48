using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>Linux signal numbers (x86-64 and arm64 agree on these) and sending them.</summary>
internal static class Signals
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGABRT = 6;
    public const int SIGKILL = 9;
    public const int SIGUSR1 = 10;
    public const int SIGUSR2 = 12;
    public const int SIGTERM = 15;
    public const int SIGCHLD = 17;
    public const int SIGTTIN = 21;
    public const int SIGTTOU = 22;
    public const int SIGWINCH = 28;

    /// <summary>The lowercase name gunicorn logs ("hup", "ttin"), or the number.</summary>
    public static string Name(int signal) => signal switch
    {
        SIGHUP => "hup",
        SIGINT => "int",
        SIGQUIT => "quit",
        SIGABRT => "abrt",
        SIGKILL => "kill",
        SIGUSR1 => "usr1",
        SIGUSR2 => "usr2",
        SIGTERM => "term",
        SIGCHLD => "chld",
        SIGTTIN => "ttin",
        SIGTTOU => "ttou",
        SIGWINCH => "winch",
        _ => signal.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when the process is gone (ESRCH).</summary>
    public static bool Send(int pid, int signal)
    {
        if (Libc.kill(pid, signal) == 0)
            return true;
        int errno = Marshal.GetLastPInvokeError();
        const int ESRCH = 3;
        if (errno == ESRCH)
            return false;
        throw new InteropException("kill", errno);
    }

    /// <summary>
    /// Restores the default action of every signal the server handles. PLATFORM-NOTES: a process started with one
    /// ignored never sees it, because .NET skips ignored signals: SIGINT and SIGQUIT after any `cmd &amp;` from a
    /// non-interactive shell, SIGHUP under <c>nohup</c> (a HUP would then reload nothing). gunicorn handles them all
    /// whatever it inherited, and so do we.
    /// </summary>
    public static void ResetInheritedIgnores()
    {
        foreach (int signal in (ReadOnlySpan<int>)[SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGTTIN, SIGTTOU, SIGWINCH])
            Libc.signal(signal, 0);
    }
}
