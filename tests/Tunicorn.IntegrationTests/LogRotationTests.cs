using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Log rotation (USR1) when the workers run as another user: the master re-creates the files for them, and a worker
/// that still cannot reopen a file keeps serving and says why once. The tests run as root, so <c>-u nobody -g
/// nogroup</c> really drops privileges.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // file modes and users of a Linux machine
public sealed class LogRotationTests(ITestOutputHelper output)
{
    private const int Nobody = 65534;
    private const int Workers = 2;

    [Fact]
    public async Task Usr1_WithUserAndGroup_RecreatesTheFilesForTheWorkers_WhichKeepServingIntoTheNewFiles()
    {
        using var dir = NobodyCanEnter(new TestDirectory("rotate-user"));
        string access = dir.File("access.log");
        string errors = dir.File("error.log");
        int port = FreePort.Next();
        await using var server = StartAsNobody(port, access, errors);
        await LogFile.WaitForBootedWorkersAsync(errors, Workers, server);
        var workers = server.WorkerPids();
        Assert.Equal(Workers, workers.Count);
        Assert.All(workers, pid => Assert.Equal(Nobody, OpenFiles.UserIdOf(pid)));
        await CallAsync(port, connections: 4, callsPerConnection: 5);
        await Eventually.WaitUntilAsync(() => LogFile.Lines(access).Count == 20, TimeSpan.FromSeconds(10), "20 access lines before rotation");

        File.Move(access, access + ".1");
        File.Move(errors, errors + ".1");
        Assert.True(server.Signal(UnixSignal.Usr1));
        await Eventually.WaitUntilAsync(() => workers.All(pid => LogFile.Lines(errors).Any(l => l.Contains($"Worker (pid: {pid}) reopened its log files", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(15), "every worker reopened into the new error log",
            () => server.Describe() + Environment.NewLine + string.Join(Environment.NewLine, LogFile.Lines(errors + ".1").TakeLast(20)));

        // The new files belong to the workers' user, and every worker holds them (not the rotated ones).
        foreach (string path in new[] { access, errors })
            Assert.Equal(Nobody, OpenFiles.OwnerOf(path));
        foreach (int pid in workers)
        {
            Assert.NotEmpty(OpenFiles.DescriptorsOf(pid, access));
            Assert.NotEmpty(OpenFiles.DescriptorsOf(pid, errors));
            Assert.Empty(OpenFiles.DescriptorsOf(pid, access + ".1"));
            Assert.Empty(OpenFiles.DescriptorsOf(pid, errors + ".1"));
        }

        // Every call after the rotation is answered by the same workers and logged in the new access log.
        await CallAsync(port, connections: 8, callsPerConnection: 10);
        await Eventually.WaitUntilAsync(() => LogFile.Lines(access).Count == 80, TimeSpan.FromSeconds(10), "80 access lines in the new file");
        Assert.Equal(workers, server.WorkerPids());
        Assert.Equal(20, LogFile.Lines(access + ".1").Count);
        Assert.DoesNotContain(LogFile.Lines(errors), l => l.Contains("Booting worker", StringComparison.Ordinal) || LogPatterns.ErrorLevel.IsMatch(l));
    }

    [Fact]
    public async Task Usr1_WorkerCannotOpenTheNewFile_KeepsServingIntoTheOldOne_AndSaysWhyOnce()
    {
        using var dir = NobodyCanEnter(new TestDirectory("rotate-denied"));
        string access = dir.File("access.log");
        string errors = dir.File("error.log");
        int port = FreePort.Next();
        await using var server = StartAsNobody(port, access, errors);
        await LogFile.WaitForBootedWorkersAsync(errors, Workers, server);
        var workers = server.WorkerPids();
        int worker = workers[0];

        // The new access log is root's alone. The master would give it to the workers, so the USR1 goes to one
        // worker only, as a logrotate script that signals the workers itself would send it.
        File.Move(access, access + ".1");
        using (File.Create(access))
        {
        }
        File.SetUnixFileMode(access, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.True(Posix.Kill(worker, UnixSignal.Usr1));

        var cannotReopen = new Regex($@"\[ERROR\] Worker \(pid: {worker}\) cannot reopen the access log {Regex.Escape(access)}: .*denied.*; it keeps writing to the file it had open$");
        await Eventually.WaitUntilAsync(() => LogFile.Count(errors, cannotReopen) == 1, TimeSpan.FromSeconds(15),
            "the worker's reason in the error log", () => server.Describe() + Environment.NewLine + string.Join(Environment.NewLine, LogFile.Lines(errors).TakeLast(20)));

        // The worker lives on and serves; its calls (and the other worker's) go on into the file they had open.
        await CallAsync(port, connections: 10, callsPerConnection: 10);
        await Eventually.WaitUntilAsync(() => LogFile.Lines(access + ".1").Count == 100, TimeSpan.FromSeconds(10),
            $"100 access lines in the old file (now {LogFile.Lines(access + ".1").Count})");
        Assert.Equal(workers, server.WorkerPids());
        Assert.True(ProcessTable.IsAlive(worker));
        Assert.Empty(LogFile.Lines(access));
        var errorLines = LogFile.Lines(errors);
        Assert.Equal(1, errorLines.Count(cannotReopen.IsMatch));
        Assert.DoesNotContain(errorLines, l => l.Contains($"Worker (pid: {worker}) reopened its log files", StringComparison.Ordinal));
        Assert.Equal(Workers, errorLines.Count(LogPatterns.BootingWorker.IsMatch));
    }

    private TunicornServer StartAsNobody(int port, string access, string errors) =>
        TunicornServer.Start(
            [RepoPaths.TestAppDll, "-b", $"127.0.0.1:{port}", "-w", $"{Workers}", "-u", "nobody", "-g", "nogroup",
                "--access-logfile", access, "--error-logfile", errors], output);

    /// <summary>The test's folder as nobody needs it: enterable, and not writable, so that only the master creates files.</summary>
    private static TestDirectory NobodyCanEnter(TestDirectory dir)
    {
        const UnixFileMode rwxr_xr_x = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(Path.GetDirectoryName(dir.Path)!, rwxr_xr_x);
        File.SetUnixFileMode(dir.Path, rwxr_xr_x);
        return dir;
    }

    private static async Task CallAsync(int port, int connections, int callsPerConnection)
    {
        for (int c = 0; c < connections; c++)
        {
            using var client = await ThriftClients.TestServiceAsync(port);
            for (int i = 0; i < callsPerConnection; i++)
                Assert.Equal(i + 1, await client.add(i, 1));
        }
    }
}
