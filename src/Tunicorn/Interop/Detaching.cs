using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>What a daemon does to leave the terminal that started it (the daemon setting).</summary>
internal static class Detaching
{
    /// <summary>Starts a new session without a controlling terminal, so that a hang-up of the terminal does not reach it.</summary>
    /// <remarks>A process started by Process.Start is never a process group leader, the one case setsid refuses.</remarks>
    public static void StartSession()
    {
        if (Libc.setsid() < 0)
            throw new InteropException("setsid", Marshal.GetLastPInvokeError());
    }

    /// <summary>Points stdin, stdout and stderr at /dev/null, as gunicorn's daemonize does; what starts from now on inherits that too.</summary>
    /// <param name="keepOutput">Leaves stdout and stderr alone: capture_output already points them at the error log.</param>
    public static void RedirectStandardStreamsToNull(bool keepOutput = false)
    {
        int devNull = Libc.open("/dev/null", Libc.O_RDWR);
        if (devNull < 0)
            throw new InteropException("open /dev/null", Marshal.GetLastPInvokeError());
        try
        {
            for (int fd = 0; fd <= (keepOutput ? 0 : 2); fd++)
            {
                if (Libc.dup2(devNull, fd) < 0)
                    throw new InteropException("dup2", Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            if (devNull > 2)
                Libc.close(devNull);
        }
    }
}
