using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// daemon (-D): the command returns 0 once the master listens, the master runs on in its own session with stdin, stdout
/// and stderr on /dev/null, logging to its errorlog file; a master that cannot start makes the command fail with its
/// reason on stderr.
/// </summary>
public sealed class DaemonTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Daemon_CommandReturnsZeroOnceTheMasterListens_AndTheMasterServesDetached()
    {
        using var dir = new TestDirectory("daemon");
        int port = FreePort.Next();
        string pidfile = dir.File("master.pid"), errorlog = dir.File("error.log");
        int masterPid = 0;
        try
        {
            await using (var command = ManagedProcess.Start(RepoPaths.Cli,
                [RepoPaths.CalculatorDll, "-D", "-b", $"127.0.0.1:{port}", "-w", "2", "-p", pidfile, "--error-logfile", errorlog]))
            {
                // drainOutput: the command's pipes reach EOF, so neither the master nor a worker still holds them.
                Assert.Equal(0, await command.WaitForExitAsync(Deadline, drainOutput: true));
                output.WriteLine(command.DescribeOutput());
            }

            masterPid = int.Parse(File.ReadAllText(pidfile).Trim(), CultureInfo.InvariantCulture);
            Assert.True(ProcessTable.IsAlive(masterPid));
            // A new session led by the master, away from the test's terminal and process group.
            Assert.Equal(masterPid, SessionOf(masterPid));
            for (int fd = 0; fd <= 2; fd++)
                Assert.Equal("/dev/null", new FileInfo($"/proc/{masterPid}/fd/{fd}").LinkTarget);

            // The command returned once the master listened: a connection is accepted now, and served once workers boot.
            using (var probe = new TcpClient())
                await probe.ConnectAsync(IPAddress.Loopback, port);
            var workers = await Eventually.WaitForAsync(
                () => ProcessTable.ChildrenOf(masterPid) is { Count: 2 } children ? children : null, Deadline, "two workers of the daemon");
            foreach (var worker in workers)
            {
                await Eventually.WaitUntilAsync(() => File.Exists($"/proc/{worker.Pid}/fd/2") && new FileInfo($"/proc/{worker.Pid}/fd/2").LinkTarget == "/dev/null",
                    Deadline, $"worker {worker.Pid} has stderr on /dev/null");
            }
            CalculatorChecks.AssertPythonClientPassed(await PythonClient.RunAsync(PythonClient.CalculatorScript, PythonClient.Tcp(port)));
            Assert.Contains("Listening at: 127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), await File.ReadAllTextAsync(errorlog));

            Assert.True(Posix.Kill(masterPid, UnixSignal.Term));
            await Eventually.WaitUntilAsync(() => !ProcessTable.IsAlive(masterPid), Deadline, "the daemon master exits on TERM");
            Assert.False(File.Exists(pidfile));
            masterPid = 0;
        }
        finally
        {
            if (masterPid != 0 && ProcessTable.IsAlive(masterPid))
            {
                foreach (var worker in ProcessTable.ChildrenOf(masterPid))
                    Posix.Kill(worker.Pid, UnixSignal.Kill);
                Posix.Kill(masterPid, UnixSignal.Kill);
            }
        }
    }

    [Fact]
    public async Task Daemon_AMasterThatCannotLoadTheApp_FailsTheCommand_WithTheReasonOnItsStderr()
    {
        using var dir = new TestDirectory("daemon-fail");
        await using var command = ManagedProcess.Start(RepoPaths.Cli,
            [dir.File("missing.dll"), "-D", "-b", $"127.0.0.1:{FreePort.Next()}", "-p", dir.File("master.pid")]);

        int code = await command.WaitForExitAsync(Deadline, drainOutput: true);

        Assert.NotEqual(0, code);
        string stderr = string.Join('\n', command.Stderr.Snapshot());
        Assert.Contains("App failed to load", stderr, StringComparison.Ordinal);
        Assert.Contains("before it listened", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("master.pid")));
    }

    [Fact]
    public async Task Daemon_AnAddressInUse_FailsTheCommandWithExitOne()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using var command = ManagedProcess.Start(RepoPaths.Cli, [RepoPaths.CalculatorDll, "-D", "-b", $"127.0.0.1:{port}"]);

        Assert.Equal(1, await command.WaitForExitAsync(Deadline, drainOutput: true));
        Assert.Contains(command.Stderr.Snapshot(), line => line.Contains("before it listened", StringComparison.Ordinal));
    }

    /// <summary>Field 6 of /proc/PID/stat: the session id.</summary>
    private static int SessionOf(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[6 - 3], CultureInfo.InvariantCulture);
    }
}
