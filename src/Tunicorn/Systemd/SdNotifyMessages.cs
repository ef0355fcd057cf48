using System.Globalization;

namespace Tunicorn.Systemd;

/// <summary>
/// The sd_notify messages of the master (systemd's sd_notify(3) protocol: newline-separated assignments in one datagram).
/// With Type=notify-reload, systemd sends SIGHUP for `systemctl reload` and waits for RELOADING=1, then READY=1.
/// </summary>
internal static class SdNotifyMessages
{
    public const string Watchdog = "WATCHDOG=1";

    /// <summary>Every worker accepts. MAINPID names the master, which systemd then watches, even when another process forwarded the message.</summary>
    public static string Ready(int mainPid, string status) =>
        string.Create(CultureInfo.InvariantCulture, $"READY=1\nMAINPID={mainPid}\nSTATUS={OneLine(status)}");

    /// <summary>
    /// A reload began. systemd (253+) requires MONOTONIC_USEC with RELOADING=1: the CLOCK_MONOTONIC time at which the
    /// reload began, so it can tell this reload from an earlier one.
    /// </summary>
    public static string Reloading(long monotonicMicroseconds, string status) =>
        string.Create(CultureInfo.InvariantCulture, $"RELOADING=1\nMONOTONIC_USEC={monotonicMicroseconds}\nSTATUS={OneLine(status)}");

    public static string Stopping(string status) => $"STOPPING=1\nSTATUS={OneLine(status)}";

    public static string Status(string status) => $"STATUS={OneLine(status)}";

    /// <summary>What STATUS= says while serving, as `systemctl status` shows it: "2 workers, generation 3".</summary>
    public static string Serving(int workers, int generation) =>
        string.Create(CultureInfo.InvariantCulture, $"{workers} {(workers == 1 ? "worker" : "workers")}, generation {generation}");

    /// <summary>Enough for `systemctl status`, and far below the notifier's buffer.</summary>
    private const int MaxStatusLength = 1024;

    /// <summary>A newline would start another assignment: a reason quoted from an exception must stay one value, and short.</summary>
    private static string OneLine(string text)
    {
        string line = text.ReplaceLineEndings(" ");
        return line.Length <= MaxStatusLength ? line : line[..(MaxStatusLength - 1)] + "…";
    }
}
