using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// The master and every worker append to the same error log and access log: no process may overwrite another's
/// lines (PLATFORM-NOTES: FileMode.Append opens without O_APPEND) and no line may be split.
/// </summary>
public sealed class SharedLogFileTests(ITestOutputHelper output)
{
    private const int Workers = 4;
    private const int Clients = 16;
    private const int ConnectionsPerClient = 50;
    private const int CallsPerConnection = 25;
    private const int Calls = Clients * ConnectionsPerClient * CallsPerConnection; // 20,000

    private static readonly Regex AccessLine = new(@"^127\.0\.0\.1 <\d+> add ok$", RegexOptions.CultureInvariant);
    private static readonly Regex ConnectionOpened = new(@"\[DEBUG\] Connection \d+ from 127\.0\.0\.1:\d+ opened on ", RegexOptions.CultureInvariant);

    [Fact]
    public async Task FourWorkersShareTheLogFiles_EveryCallHasItsAccessLine_AndEveryErrorLineIsWhole()
    {
        using var dir = new TestDirectory("shared-logs");
        string access = dir.File("access.log");
        string errors = dir.File("error.log");
        int port = FreePort.Next();
        // Debug level: every connection adds an error-log line from the worker that accepted it, so the workers
        // write the error log as often as the access log.
        await using var server = TunicornServer.Start(
            [RepoPaths.TestAppDll, "-b", $"127.0.0.1:{port}", "-w", $"{Workers}", "--log-level", "debug",
                "--access-logfile", access, "--access-logformat", "%(h)s %(p)s %(m)s %(s)s", "--error-logfile", errors], output);
        await LogFile.WaitForBootedWorkersAsync(errors, Workers, server);

        // Every process holds both files with O_APPEND.
        int[] processes = [server.MasterPid, .. server.WorkerPids()];
        Assert.Equal(Workers + 1, processes.Length);
        foreach (int pid in processes)
        {
            foreach (string path in new[] { access, errors })
            {
                var fds = OpenFiles.DescriptorsOf(pid, path);
                Assert.True(fds.Count > 0, $"pid {pid} has no descriptor on {path}");
                Assert.All(fds, fd => Assert.True((fd.Flags & OpenFiles.OAppend) != 0,
                    $"pid {pid} fd {fd.Fd} on {path} has flags {Convert.ToString(fd.Flags, 8)}, without O_APPEND"));
            }
        }

        var clients = Enumerable.Range(0, Clients).Select(async _ =>
        {
            for (int c = 0; c < ConnectionsPerClient; c++)
            {
                using var client = await ThriftClients.TestServiceAsync(port);
                for (int i = 0; i < CallsPerConnection; i++)
                    Assert.Equal(i + c, await client.add(i, c));
            }
        });
        await Task.WhenAll(clients);

        await Eventually.WaitUntilAsync(() => LogFile.Lines(access).Count >= Calls, TimeSpan.FromSeconds(30),
            $"{Calls} access lines (now {LogFile.Lines(access).Count})");
        var accessLines = LogFile.Lines(access);
        Assert.Equal(Calls, accessLines.Count);
        Assert.All(accessLines, line => Assert.Matches(AccessLine, line));
        // Every worker wrote its share, so the lines of several processes really met in one file.
        Assert.True(accessLines.Select(l => l.Split(' ')[1]).Distinct().Count() > 1, "only one worker served: the test proves nothing");

        // Each connection's "opened" line is there exactly once, and no line was cut or overwritten.
        int connections = Clients * ConnectionsPerClient;
        var errorLines = LogFile.Lines(errors);
        Assert.Equal(connections, errorLines.Count(ConnectionOpened.IsMatch));
        Assert.All(errorLines, line => Assert.Matches(LogFile.WellFormedErrorLine, line));
        output.WriteLine($"{accessLines.Count} access lines, {errorLines.Count} error-log lines");
    }
}
