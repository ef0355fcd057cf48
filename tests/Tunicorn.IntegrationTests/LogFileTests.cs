using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>Access and error logs in files, one access line per call, reopened on USR1 for log rotation.</summary>
public sealed class LogFileTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AccessLog_HasALinePerCallWithMethodPeerResultAndDuration_AndIsReopenedOnUsr1()
    {
        using var dir = new TestDirectory("logs");
        string access = dir.File("access.log");
        string errors = dir.File("error.log");
        int port = FreePort.Next();
        await using var server = TunicornServer.Start(
            [RepoPaths.CalculatorDll, "-b", $"127.0.0.1:{port}", "-w", "1", "--access-logfile", access, "--error-logfile", errors], output);
        await Eventually.WaitUntilAsync(() => File.Exists(errors) && File.ReadAllText(errors).Contains("Worker booted", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "a booted worker in the error log file");

        using (var client = await ThriftClients.CalculatorAsync(port))
        {
            await client.ping();
            Assert.Equal(3, await client.add(1, 2));
            await Assert.ThrowsAsync<tutorial.InvalidOperation>(() => client.calculate(1, new tutorial.Work { Op = tutorial.Operation.DIVIDE, Num1 = 1, Num2 = 0 }));
        }
        await Eventually.WaitUntilAsync(() => File.ReadAllLines(access).Length >= 3, TimeSpan.FromSeconds(10), "three access lines");
        var lines = File.ReadAllLines(access);
        // Default format: %(h)s %(t)s "%(r)s" %(s)s %(D)sus (remote address, gunicorn's time, method, outcome, duration)
        var shape = new Regex(@"^127\.0\.0\.1 \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] ""(?<method>\w+)"" (?<result>\S+) (?<us>\d+)us$");
        var parsed = lines.Select(l => shape.Match(l)).ToArray();
        Assert.All(parsed, m => Assert.True(m.Success, $"unexpected access line: {m.Value}"));
        Assert.Equal(["ping ok", "add ok", "calculate InvalidOperation"], parsed.Select(m => $"{m.Groups["method"].Value} {m.Groups["result"].Value}"));

        // Rotate: move the files away, USR1, and the next lines go to new files.
        File.Move(access, access + ".1");
        File.Move(errors, errors + ".1");
        Assert.True(server.Signal(UnixSignal.Usr1));
        // The master reopens first and signals the worker: a call before the worker reopened would go to the old file.
        await Eventually.WaitUntilAsync(() => File.Exists(access) && File.Exists(errors)
            && File.ReadAllText(errors).Contains("reopened its log files", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the worker's log files reopened");
        using (var client = await ThriftClients.CalculatorAsync(port))
            await client.ping();
        await Eventually.WaitUntilAsync(() => File.ReadAllLines(access).Any(l => l.Contains("\"ping\" ok", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the call after USR1 in the new access log");
        Assert.Equal(3, File.ReadAllLines(access + ".1").Length);
    }
}
