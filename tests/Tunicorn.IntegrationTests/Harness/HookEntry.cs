using System.Globalization;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>One line of the RecordingHooks log: <c>hook_name PID EXTRA [DETAIL]</c> (see tests/TestApp/RecordingHooks.cs).</summary>
internal sealed record HookEntry(string Hook, int Pid, string Extra, string? Detail)
{
    /// <summary>Reads the whole log, in the order the lines were appended (by any process).</summary>
    public static IReadOnlyList<HookEntry> ReadAll(string path)
    {
        if (!File.Exists(path))
            return [];
        var entries = new List<HookEntry>();
        foreach (string line in File.ReadAllLines(path))
        {
            string[] parts = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
            // A line being written at this instant may be partial; it is whole by the next read.
            if (parts.Length < 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                continue;
            entries.Add(new HookEntry(parts[0], pid, parts[2], parts.Length > 3 ? parts[3] : null));
        }
        return entries;
    }

    public override string ToString() => $"{Hook} {Pid} {Extra}{(Detail is null ? "" : " " + Detail)}";
}
