using System.Globalization;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>The pidfile is written safely: a temporary beside it that no one can predict or redirect.</summary>
public sealed class PidfileTests(ITestOutputHelper output)
{
    /// <summary>How many of the next pids get a planted link: enough for what a busy machine starts meanwhile.</summary>
    private const int PlantedPids = 5000;

    /// <summary>
    /// The old temporary was PIDFILE.tmp&lt;pid&gt;, written through any symbolic link found there: a local user who
    /// planted links at the next pids had the master overwrite the file they point to.
    /// </summary>
    [Fact]
    public async Task SymlinksPlantedAtPredictableTemporaryNames_AreNotFollowed()
    {
        using var dir = new TestDirectory("pid");
        string victim = dir.File("victim.txt");
        File.WriteAllText(victim, "precious\n");
        string pidfile = dir.File("t.pid");
        int lastPid = int.Parse(File.ReadAllText("/proc/sys/kernel/ns_last_pid").Trim(), CultureInfo.InvariantCulture);
        for (int pid = lastPid + 1; pid <= lastPid + PlantedPids; pid++)
            File.CreateSymbolicLink($"{pidfile}.tmp{pid}", victim);

        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, 1, ["-p", pidfile], output);

        Assert.InRange(server.MasterPid, lastPid + 1, lastPid + PlantedPids); // else no link was in the master's way
        Assert.Equal("precious\n", File.ReadAllText(victim));
        Assert.Null(new FileInfo(pidfile).LinkTarget);
        Assert.Equal(server.MasterPid.ToString(CultureInfo.InvariantCulture), File.ReadAllText(pidfile).Trim());
        // Only the links we planted, the victim and the pidfile: no temporary left behind.
        Assert.Equal(PlantedPids + 2, Directory.GetFileSystemEntries(dir.Path).Length);
    }

    [Fact]
    public async Task PidfileInADirectoryTheMasterCannotWrite_FailsWithOneLineNamingThePidfile_AndLeavesNoTemporary()
    {
        // /proc/1 exists but no file can be created in it, even by root.
        await using var server = TunicornServer.Start([RepoPaths.CalculatorDll, "-w", "1", "-b", $"127.0.0.1:{FreePort.Next()}", "-p", "/proc/1/t.pid"], output);

        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var error = Assert.Single(server.Log.Snapshot(), l => l.Contains("[CRITICAL]", StringComparison.Ordinal));
        Assert.Contains("pidfile: /proc/1/t.pid", error, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", error, StringComparison.Ordinal);
    }
}
