namespace Tunicorn.Systemd;

/// <summary>
/// Where the arbiter tells its service manager how it is doing: <see cref="SystemdNotifier"/> sends to systemd's
/// NOTIFY_SOCKET; unit tests record the messages. The arbiter composes them with <see cref="SdNotifyMessages"/>.
/// </summary>
internal interface IServiceNotifier
{
    /// <summary>How often the arbiter's loop must send WATCHDOG=1; null when the service manager keeps no watchdog.</summary>
    TimeSpan? WatchdogInterval { get; }

    /// <summary>Sends one message (newline-separated VARIABLE=value lines). Never throws and never blocks.</summary>
    void Notify(string message);
}
