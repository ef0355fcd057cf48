using System.Diagnostics;
using System.Globalization;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Process titles (issue 10.7): ps shows "tunicorn: master [NAME]" and "tunicorn: worker [NAME]" in the command line, as
/// gunicorn does with setproctitle, while the process name (comm) stays tunicorn-master / tunicorn-worker so that
/// pgrep tunicorn finds every process whatever proc_name is.
/// </summary>
public sealed class ProcessTitleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Titles_NameMasterAndWorkersAfterTheApp_AndCommStaysTunicorn()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 2, output: output);
        var workers = server.WorkerPids();

        Assert.Equal("tunicorn: master [Calculator]", CommandLine(server.MasterPid));
        Assert.Equal("tunicorn-master", Comm(server.MasterPid));
        foreach (int pid in workers)
        {
            Assert.Equal("tunicorn: worker [Calculator]", CommandLine(pid));
            Assert.Equal("tunicorn-worker", Comm(pid));
        }

        Assert.Subset(await PgrepAsync("-f", "tunicorn: worker \\[Calculator\\]"), workers.ToHashSet());
        Assert.DoesNotContain(server.MasterPid, await PgrepAsync("-f", "tunicorn: worker"));
        Assert.Subset(await PgrepAsync("tunicorn"), workers.Append(server.MasterPid).ToHashSet());
        // ps prints the title as the whole command line.
        Assert.Equal("tunicorn: master [Calculator]", (await RunAsync("ps", "-o", "args=", "-p", server.MasterPid.ToString(CultureInfo.InvariantCulture))).Trim());
    }

    [Fact]
    public async Task ProcName_GoesIntoTheTitles_WhilePgrepTunicornStillFindsEveryProcess()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 2, ["-n", "billing"], output);
        var workers = server.WorkerPids();

        Assert.Equal("tunicorn: master [billing]", CommandLine(server.MasterPid));
        Assert.Equal("tunicorn-master", Comm(server.MasterPid));
        foreach (int pid in workers)
        {
            Assert.Equal("tunicorn: worker [billing]", CommandLine(pid));
            Assert.Equal("tunicorn-worker", Comm(pid));
        }
        Assert.Subset(await PgrepAsync("-f", "tunicorn: worker \\[billing\\]"), workers.ToHashSet());
        Assert.Subset(await PgrepAsync("tunicorn"), workers.Append(server.MasterPid).ToHashSet());
    }

    [Fact]
    public async Task AProcNameLongerThanTheCommandLine_IsCutInTheMaster_ButWorkersAreGivenRoomForAllOfIt()
    {
        // Given in the environment, so that the master's own command line is shorter than the title.
        string name = "svc-" + new string('n', 400);
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 1, output: output,
            environment: new Dictionary<string, string?> { ["TUNICORN_CMD_ARGS"] = "-n " + name });
        int worker = Assert.Single(server.WorkerPids());

        Assert.Equal($"tunicorn: worker [{name}]", CommandLine(worker));
        string master = CommandLine(server.MasterPid);
        Assert.StartsWith("tunicorn: master [svc-nnn", master, StringComparison.Ordinal);
        Assert.True($"tunicorn: master [{name}]".StartsWith(master, StringComparison.Ordinal), master);

        // The padding is no argument the worker acts on: it serves.
        using var client = await ThriftClients.CalculatorAsync(port);
        await CalculatorChecks.RunAsync(client);
    }

    [Fact]
    public async Task EmbeddedProgram_NamesItsProcessesAfterItself()
    {
        int port = FreePort.Next();
        await using var server = TunicornServer.StartExecutable(RepoPaths.EmbeddedCalculator, ["-b", $"127.0.0.1:{port}", "-w", "1"], output);
        int worker = Assert.Single(await server.WaitForReadyAsync(1));

        Assert.Equal("tunicorn: master [Calculator.Embedded]", CommandLine(server.MasterPid));
        Assert.Equal("tunicorn: worker [Calculator.Embedded]", CommandLine(worker));
        Assert.Equal("tunicorn-worker", Comm(worker));
    }

    [Fact]
    public async Task NativeAotProgram_WritesTheSameTitles()
    {
        string program = RepoPaths.NativeAotCalculator;
        Assert.True(File.Exists(program),
            $"{program} is missing: scripts/test.sh publishes it (dotnet publish examples/Calculator.Embedded -c Release -r linux-x64)");
        int port = FreePort.Next();
        await using var server = TunicornServer.StartExecutable(program, ["-b", $"127.0.0.1:{port}", "-w", "1", "-n", "calc"], output);
        int worker = Assert.Single(await server.WaitForReadyAsync(1));

        Assert.Equal("tunicorn: master [calc]", CommandLine(server.MasterPid));
        Assert.Equal("tunicorn-master", Comm(server.MasterPid));
        Assert.Equal("tunicorn: worker [calc]", CommandLine(worker));
        Assert.Equal("tunicorn-worker", Comm(worker));
        Assert.Subset(await PgrepAsync("-f", "tunicorn: worker \\[calc\\]"), new HashSet<int> { worker });
    }

    /// <summary>/proc/PID/cmdline with its arguments joined by spaces, as ps shows it.</summary>
    internal static string CommandLine(int pid) => File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Replace('\0', ' ');

    internal static string Comm(int pid) => File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');

    private static async Task<HashSet<int>> PgrepAsync(params string[] arguments) =>
        (await RunAsync("pgrep", arguments)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => int.Parse(line, CultureInfo.InvariantCulture)).ToHashSet();

    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        string text = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return text;
    }
}
