using System.Globalization;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>The files a process holds open, as /proc/PID/fd and /proc/PID/fdinfo show them.</summary>
internal static class OpenFiles
{
    /// <summary>Linux's O_APPEND, as fdinfo prints flags (octal).</summary>
    public const int OAppend = 0x400;

    /// <summary>Each descriptor of <paramref name="pid"/> open on <paramref name="path"/>, with its open flags.</summary>
    public static IReadOnlyList<(int Fd, int Flags)> DescriptorsOf(int pid, string path)
    {
        var found = new List<(int, int)>();
        foreach (string link in Directory.EnumerateFiles($"/proc/{pid}/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(link).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed meanwhile
            }
            if (target != path)
                continue;
            int fd = int.Parse(Path.GetFileName(link), CultureInfo.InvariantCulture);
            string flags = File.ReadLines($"/proc/{pid}/fdinfo/{fd}").First(l => l.StartsWith("flags:", StringComparison.Ordinal));
            found.Add((fd, Convert.ToInt32(flags["flags:".Length..].Trim(), 8)));
        }
        return found;
    }

    /// <summary>The real user id of <paramref name="pid"/> (/proc/PID/status).</summary>
    public static int UserIdOf(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    /// <summary>The uid that owns <paramref name="path"/> (stat(1): .NET shows a file's mode, not its owner).</summary>
    public static int OwnerOf(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u", path])
        {
            RedirectStandardOutput = true,
        })!;
        string uid = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return int.Parse(uid, CultureInfo.InvariantCulture);
    }
}
