using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Tunicorn.WorkerContract;

/// <summary>
/// One line a worker sends its master over their socket pair. Text lines, so that a stuck worker can be
/// diagnosed with strace: <c>booted</c>, <c>hb READ ANSWERED OLDEST_CALL_MS METHOD</c>, <c>error REASON</c>,
/// <c>stopping REASON</c>, <c>retire REASON</c>.
/// </summary>
internal readonly record struct WorkerReport(WorkerReportKind Kind, long CallsRead, long CallsAnswered, long OldestCallMs, string? Text)
{
    public static WorkerReport Booted() => new(WorkerReportKind.Booted, 0, 0, 0, null);

    public static WorkerReport Error(string reason) => new(WorkerReportKind.Error, 0, 0, 0, reason);

    public static WorkerReport Stopping(string reason) => new(WorkerReportKind.Stopping, 0, 0, 0, reason);

    /// <summary>Asks the master for a replacement, spawned before this worker is stopped.</summary>
    public static WorkerReport Retire(string reason) => new(WorkerReportKind.Retire, 0, 0, 0, reason);

    public static WorkerReport Heartbeat(long read, long answered, long oldestCallMs, string? method) =>
        new(WorkerReportKind.Heartbeat, read, answered, oldestCallMs, method);

    public string Format() => Kind switch
    {
        WorkerReportKind.Booted => "booted\n",
        WorkerReportKind.Error => "error " + (Text ?? "").ReplaceLineEndings(" ") + "\n",
        WorkerReportKind.Stopping => "stopping " + (Text ?? "").ReplaceLineEndings(" ") + "\n",
        WorkerReportKind.Retire => "retire " + (Text ?? "").ReplaceLineEndings(" ") + "\n",
        _ => string.Create(CultureInfo.InvariantCulture, $"hb {CallsRead} {CallsAnswered} {OldestCallMs} {(string.IsNullOrEmpty(Text) ? "-" : Text)}\n"),
    };

    public static bool TryParse(string line, out WorkerReport report)
    {
        report = default;
        if (line == "booted")
        {
            report = Booted();
            return true;
        }
        if (line.StartsWith("error ", StringComparison.Ordinal))
        {
            report = Error(line[6..]);
            return true;
        }
        if (line.StartsWith("stopping ", StringComparison.Ordinal))
        {
            report = Stopping(line[9..]);
            return true;
        }
        if (line.StartsWith("retire ", StringComparison.Ordinal))
        {
            report = Retire(line[7..]);
            return true;
        }
        string[] parts = line.Split(' ', 5);
        if (parts.Length == 5 && parts[0] == "hb"
            && long.TryParse(parts[1], CultureInfo.InvariantCulture, out long read)
            && long.TryParse(parts[2], CultureInfo.InvariantCulture, out long answered)
            && long.TryParse(parts[3], CultureInfo.InvariantCulture, out long oldest))
        {
            report = Heartbeat(read, answered, oldest, parts[4] == "-" ? null : parts[4]);
            return true;
        }
        return false;
    }

    /// <summary>
    /// Parses one line as it arrived, without the newline. A heartbeat, several a second from every worker, allocates
    /// nothing when its method is <paramref name="lastMethod"/> (or none): the master's heap does not grow with reports.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> line, string? lastMethod, out WorkerReport report)
    {
        report = default;
        if (!line.StartsWith("hb "u8))
            return TryParse(Encoding.UTF8.GetString(line), out report);
        line = line[3..];
        if (!NextNumber(ref line, out long read) || !NextNumber(ref line, out long answered) || !NextNumber(ref line, out long oldest) || line.IsEmpty)
            return false;
        string? method = line.SequenceEqual("-"u8) ? null
            : lastMethod is not null && Ascii.Equals(line, lastMethod) ? lastMethod
            : Encoding.UTF8.GetString(line);
        report = Heartbeat(read, answered, oldest, method);
        return true;
    }

    private static bool NextNumber(ref ReadOnlySpan<byte> line, out long value)
    {
        int space = line.IndexOf((byte)' ');
        if (space <= 0 || !Utf8Parser.TryParse(line[..space], out value, out int consumed) || consumed != space)
        {
            value = 0;
            return false;
        }
        line = line[(space + 1)..];
        return true;
    }
}
