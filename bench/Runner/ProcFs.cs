using System.Globalization;

namespace Tunicorn.Bench.Runner;

/// <summary>
/// What the runner reads from /proc: process trees (by ppid), CPU time (utime + stime), RSS and PSS
/// (smaps_rollup), and which process owns which socket inode.
/// </summary>
public static class ProcFs
{
    /// <summary>USER_HZ: /proc reports times in these ticks; the kernel ABI fixes it at 100 on Linux x86-64 and arm64.</summary>
    public const double TicksPerSecond = 100;

    /// <summary><paramref name="root"/> and all its living descendants, root first.</summary>
    public static List<int> ProcessTree(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                continue;
            if (ReadStat(pid) is { } stat)
            {
                if (!children.TryGetValue(stat.ParentPid, out var list))
                    children[stat.ParentPid] = list = [];
                list.Add(pid);
            }
        }
        var tree = new List<int>();
        if (ReadStat(root) is null)
            return tree;
        var queue = new Queue<int>([root]);
        while (queue.Count > 0)
        {
            int pid = queue.Dequeue();
            tree.Add(pid);
            if (children.TryGetValue(pid, out var kids))
                foreach (int kid in kids)
                    queue.Enqueue(kid);
        }
        return tree;
    }

    /// <summary>Fields of /proc/PID/stat, or null when the process is gone.</summary>
    public static ProcStat? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // The command name (field 2) may hold spaces and parentheses: fields after the last ')' are fixed.
        int close = text.LastIndexOf(')');
        string[] f = text[(close + 2)..].Split(' ');
        // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15, starttime 22.
        long L(int field) => long.Parse(f[field - 3], CultureInfo.InvariantCulture);
        return new ProcStat(pid, (int)L(4), L(14) + L(15), L(22), f[0]);
    }

    /// <summary>
    /// Nanoseconds on CPU of every thread of the given processes (/proc/PID/task/TID/schedstat): finer than the
    /// 10 ms ticks of /proc/PID/stat, for 100 ms slices. Threads that have exited no longer count.
    /// </summary>
    public static long CpuNanoseconds(IEnumerable<int> pids)
    {
        long sum = 0;
        foreach (int pid in pids)
        {
            try
            {
                foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                {
                    try
                    {
                        string text = File.ReadAllText(Path.Combine(task, "schedstat"));
                        sum += long.Parse(text.AsSpan(0, text.IndexOf(' ')), CultureInfo.InvariantCulture);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
                    {
                        // The thread ended between listing and reading.
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended.
            }
        }
        return sum;
    }

    /// <summary>CPU ticks all cores spent busy since boot (everything in /proc/stat's "cpu" line but idle and iowait).</summary>
    public static long MachineBusyTicks()
    {
        string line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        long[] f = [.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture))];
        // user nice system idle iowait irq softirq steal (guest time is already inside user)
        long total = f.Take(8).Sum();
        return total - f[3] - f[4];
    }

    /// <summary>Sum of utime + stime of the given processes, in ticks; processes gone count 0.</summary>
    public static Dictionary<int, long> CpuTicks(IEnumerable<int> pids)
    {
        var ticks = new Dictionary<int, long>();
        foreach (int pid in pids)
            if (ReadStat(pid) is { } stat)
                ticks[pid] = stat.CpuTicks;
        return ticks;
    }

    /// <summary>RSS and PSS of one process in KiB (from smaps_rollup), or null when it is gone.</summary>
    public static MemoryUse? ReadMemory(int pid)
    {
        try
        {
            long rss = -1, pss = -1;
            foreach (string line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
            {
                if (line.StartsWith("Rss:", StringComparison.Ordinal))
                    rss = KiB(line);
                else if (line.StartsWith("Pss:", StringComparison.Ordinal))
                    pss = KiB(line);
            }
            return rss < 0 || pss < 0 ? null : new MemoryUse(rss, pss);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        static long KiB(string line) =>
            long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Socket inodes held open by a process (its fds that link to "socket:[N]").</summary>
    public static HashSet<long> SocketInodes(int pid)
    {
        var inodes = new HashSet<long>();
        try
        {
            foreach (string fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                string? target = null;
                try
                {
                    target = new FileInfo(fd).LinkTarget;
                }
                catch (IOException)
                {
                }
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal)
                    && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out long inode))
                    inodes.Add(inode);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return inodes;
    }

    /// <summary>
    /// Server-side ESTABLISHED TCP sockets on 127.0.0.1:<paramref name="port"/> from /proc/net/tcp, as inodes. A
    /// connection the kernel completed but no process accepted yet has inode 0.
    /// </summary>
    /// <remarks>
    /// The kernel produces the table a chunk per read() and resumes by position, so on a machine where other
    /// processes open and close many sockets, a reading done in small chunks can skip entries. The file is read
    /// in 1 MiB reads, a few times, and the reading that found the most connections wins.
    /// </remarks>
    public static List<long> EstablishedServerSockets(int port, int expected)
    {
        List<long> best = [];
        for (int attempt = 0; attempt < 5 && best.Count < expected; attempt++)
        {
            var found = ParseEstablished(ReadProcFile("/proc/net/tcp"), port);
            if (found.Count > best.Count)
                best = found;
        }
        return best;
    }

    private static List<long> ParseEstablished(string table, int port)
    {
        // Keyed by the client's address: a reading resumed by position can also list an entry twice.
        var inodes = new Dictionary<string, long>();
        foreach (string line in table.Split('\n').Skip(1))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // f[1] local "0100007F:2382", f[2] remote, f[3] state (01 = ESTABLISHED), f[9] inode.
            if (f.Length < 10 || f[3] != "01")
                continue;
            int colon = f[1].IndexOf(':');
            if (int.Parse(f[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture) != port)
                continue;
            inodes[f[2]] = long.Parse(f[9], CultureInfo.InvariantCulture);
        }
        return [.. inodes.Values];
    }

    private static string ReadProcFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.None);
        var buffer = new byte[1 << 20];
        var text = new System.Text.StringBuilder();
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            text.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        return text.ToString();
    }
}
