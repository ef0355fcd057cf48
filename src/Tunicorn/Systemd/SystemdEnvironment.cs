namespace Tunicorn.Systemd;

/// <summary>The environment variables through which systemd talks to the process it started.</summary>
internal static class SystemdEnvironment
{
    public const string NotifySocket = "NOTIFY_SOCKET";
    public const string WatchdogMicroseconds = "WATCHDOG_USEC";
    public const string WatchdogPid = "WATCHDOG_PID";
    public const string ListenFds = "LISTEN_FDS";
    public const string ListenPid = "LISTEN_PID";
    public const string ListenFdNames = "LISTEN_FDNAMES";

    /// <summary>
    /// Meant for the master alone, so removed from the environment of its workers: a worker that sent READY=1 or
    /// WATCHDOG=1 would speak for the whole service (sd_notify(3): a process should not pass them on to its children).
    /// </summary>
    public static readonly IReadOnlyList<string> MasterOnly = [NotifySocket, WatchdogMicroseconds, WatchdogPid, ListenFds, ListenPid, ListenFdNames];
}
