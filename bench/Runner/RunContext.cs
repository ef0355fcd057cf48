using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Tunicorn.Bench.Runner;

/// <summary>Facts about the machine and checkout a run happened on, for the report header.</summary>
public sealed record RunContext(DateTime Started, int Cores, string CpuModel, string Kernel, string DotnetVersion, string Commit, TimeSpan Elapsed,
    string LoadAverageAtStart, string LoadAverageAtEnd)
{
    /// <summary>The 1-minute load average (/proc/loadavg): above the core count, other work competed with the bench.</summary>
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    /// <param name="commit">read when the run started (<see cref="ReadCommit"/>): others may commit while it runs.</param>
    public static RunContext Collect(DateTime started, TimeSpan elapsed, string commit, string loadAverageAtStart)
    {
        string cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line
            ? line[(line.IndexOf(':') + 1)..].Trim() : "unknown CPU";
        string kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "unknown";
        return new RunContext(started, Environment.ProcessorCount, cpu, kernel, RuntimeInformation.FrameworkDescription.Replace(".NET ", "", StringComparison.Ordinal),
            commit, elapsed, loadAverageAtStart, LoadAverage());
    }

    // Read-only: rev-parse neither writes the index nor takes a lock.
    public static string ReadCommit(string repository)
    {
        try
        {
            var psi = new ProcessStartInfo("git", ["-C", repository, "rev-parse", "--short", "HEAD"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var git = Process.Start(psi)!;
            string sha = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && sha.Length > 0 ? sha : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
