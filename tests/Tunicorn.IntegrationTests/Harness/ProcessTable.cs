using System.Globalization;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>Reads /proc: the live children of a process, and whether a given process still runs.</summary>
internal static class ProcessTable
{
    /// <summary>The live (not zombie) direct children of <paramref name="parentPid"/>, by pid.</summary>
    public static IReadOnlyList<ProcessEntry> ChildrenOf(int parentPid)
    {
        var children = new List<ProcessEntry>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                continue;
            if (Read(pid) is { } entry && entry.ParentPid == parentPid && !entry.IsZombie)
                children.Add(entry);
        }
        children.Sort((a, b) => a.Pid.CompareTo(b.Pid));
        return children;
    }

    /// <summary>The process with this pid, or null when there is none (it may have exited a moment ago).</summary>
    public static ProcessEntry? Read(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        return Parse(stat);
    }

    /// <summary>True while the process exists and is not a zombie; with a start time, only if it is that same process.</summary>
    public static bool IsAlive(int pid, ulong? startTime = null) =>
        Read(pid) is { IsZombie: false } entry && (startTime is null || entry.StartTime == startTime);

    /// <summary>Parses "pid (comm) state ppid ... starttime ...". comm may hold spaces and parentheses, so fields
    /// are counted from the last ')'.</summary>
    internal static ProcessEntry? Parse(string stat)
    {
        int open = stat.IndexOf('(', StringComparison.Ordinal);
        int close = stat.LastIndexOf(')');
        if (open <= 0 || close < open)
            return null;
        int pid = int.Parse(stat.AsSpan(0, open).Trim(), CultureInfo.InvariantCulture);
        string[] rest = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // rest[0] is field 3 (state), rest[1] field 4 (ppid), rest[19] field 22 (starttime).
        if (rest.Length < 20)
            return null;
        return new ProcessEntry(
            pid,
            int.Parse(rest[1], CultureInfo.InvariantCulture),
            rest[0][0],
            ulong.Parse(rest[19], CultureInfo.InvariantCulture));
    }
}
