using System.Globalization;
using System.Text;

namespace Tunicorn.Control;

/// <summary>The replies as a person reads them: aligned columns, sizes in MiB, times in seconds.</summary>
internal static class ControlTables
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Format(string command, ControlReply reply) => command switch
    {
        ControlCommands.Status when reply.Status is { } status => Status(status),
        ControlCommands.Workers when reply.Workers is { } workers => Workers(workers),
        ControlCommands.Config when reply.Settings is { } settings => Config(settings),
        _ => (reply.Message ?? "done") + "\n",
    };

    public static string Status(ServerStatus status)
    {
        var rows = new List<(string, string)>
        {
            ("master pid", status.Pid.ToString(Invariant)),
            ("uptime", Seconds(status.UptimeSeconds)),
            ("generation", status.ReloadingGeneration is int next
                ? string.Create(Invariant, $"{status.Generation} (reloading to {next})") : status.Generation.ToString(Invariant)),
            ("workers", string.Create(Invariant, $"{status.Workers} (target {status.TargetWorkers})")),
            ("listeners", status.Listeners.Count == 0 ? "none" : string.Join(", ", status.Listeners)),
            ("settings file", status.SettingsFile ?? "none"),
            ("app", status.App ?? "embedded"),
        };
        if (status.NewMasterPid is int newMaster)
            rows.Add(("upgrade", string.Create(Invariant, $"new master {newMaster} runs (WINCH, then QUIT this master; or roll back)")));
        return Table(["", ""], rows.Select(r => new[] { r.Item1, r.Item2 }).ToList(), header: false);
    }

    public static string Workers(IReadOnlyList<WorkerStatus> workers)
    {
        var rows = workers.Select(w => new[]
        {
            w.Pid.ToString(Invariant),
            w.Generation.ToString(Invariant),
            w.Age.ToString(Invariant),
            Seconds(w.UptimeSeconds),
            w.Retiring ? "stopping" : w.Booted ? "yes" : "booting",
            w.CallsServed.ToString(Invariant),
            w.CallsInFlight.ToString(Invariant),
            w.OldestCallMethod is { } method ? string.Create(Invariant, $"{method} {Seconds(w.OldestCallSeconds ?? 0)}") : "-",
            w.Connections.ToString(Invariant),
            w.RssBytes is long rss ? (rss / (1024.0 * 1024)).ToString("0.0", Invariant) + " MiB" : "?",
        }).ToList();
        return Table(["PID", "GEN", "AGE", "UPTIME", "BOOTED", "SERVED", "IN FLIGHT", "OLDEST CALL", "CONNS", "RSS"], rows, header: true);
    }

    public static string Config(IReadOnlyDictionary<string, string?> settings)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in settings.OrderBy(s => s.Key, StringComparer.Ordinal))
            text.Append(name).Append(" = ").Append(value is null ? "(unset)" : value).Append('\n');
        return text.ToString();
    }

    private static string Seconds(double seconds) => seconds.ToString("0.0", Invariant) + "s";

    private static string Table(string[] columns, List<string[]> rows, bool header)
    {
        var widths = columns.Select((c, i) => Math.Max(header ? c.Length : 0, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        void Line(string[] cells)
        {
            for (int i = 0; i < cells.Length; i++)
            {
                text.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
            }
            text.Append('\n');
        }
        if (header)
            Line(columns);
        foreach (var row in rows)
            Line(row);
        return text.ToString();
    }
}
