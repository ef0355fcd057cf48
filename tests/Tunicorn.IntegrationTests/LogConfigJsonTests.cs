using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>logconfig_json: per-category minimum levels from a Microsoft.Extensions.Logging-style JSON file.</summary>
public sealed class LogConfigJsonTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task LogConfigJson_WarningHidesTheMastersInfoLines_DebugShowsTheConnectionsDebugLines()
    {
        using var dir = new TestDirectory("logconfig");
        string config = dir.File("logging.json");
        // tunicorn.master is written with capitals, as .NET code names categories: rules match ignoring case.
        // Tunicorn.Thrift covers Tunicorn.Thrift.ThriftConnection, whose debug lines a worker writes per connection.
        await File.WriteAllTextAsync(config, """
            {
              // comments and trailing commas are allowed, as in appsettings.json
              "Logging": { "LogLevel": { "Default": "Information", "Tunicorn.Master": "Warning", "Tunicorn.Thrift": "Debug", } }
            }
            """);
        int port = FreePort.Next();
        await using var server = TunicornServer.Start(
            [RepoPaths.TestAppDll, "-b", $"127.0.0.1:{port}", "-w", "1", "--log-config-json", config], output);

        // The master's "Listening at" is hidden, so wait for the port instead.
        await Eventually.WaitUntilAsync(async () =>
        {
            try
            {
                using var client = await ThriftClients.TestServiceAsync(port);
                return await client.add(1, 2) == 3;
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or global::Thrift.Transport.TTransportException or IOException)
            {
                return false;
            }
        }, Deadline, "a call answered", server.Describe);
        var debug = await server.WaitForLogAsync(new Regex(@"\[(?<pid>\d+)\] \[DEBUG\] Connection \d+ from 127\.0\.0\.1:\d+ opened"), Deadline);

        int worker = server.WorkerPids().Single();
        Assert.Equal(worker.ToString(System.Globalization.CultureInfo.InvariantCulture), debug.Groups["pid"].Value);
        // The master read the JSON and handed the rules over: the worker never loads System.Text.Json (its first parse
        // would cost a worker 15-20 ms of boot).
        Assert.Contains("System.Text.Json.dll", await File.ReadAllTextAsync($"/proc/{server.MasterPid}/maps"), StringComparison.Ordinal);
        Assert.DoesNotContain("System.Text.Json.dll", await File.ReadAllTextAsync($"/proc/{worker}/maps"), StringComparison.Ordinal);
        // Every master line so far was info (Starting, Listening at, Booting worker, Worker booted): none may show.
        Assert.DoesNotContain(server.Log.Snapshot(), line => line.Contains($"[{server.MasterPid}] [INFO]", StringComparison.Ordinal));
        Assert.Empty(server.Log.Matches(LogPatterns.ListeningAt));
    }

    [Theory]
    [InlineData("{ \"Logging\": { \"LogLevel\": { \"Default\": \"Verbose\" } } }", "\"Default\" to \"Verbose\"")]
    [InlineData("{ \"Logging\": { \"LogLevel\": { \"Default\": ", "is not valid JSON")]
    [InlineData("{ \"Logging\": { } }", "has no")]
    public async Task LogConfigJson_BadFile_StopsTheStartWithOneLineNamingTheSetting(string content, string reason)
    {
        using var dir = new TestDirectory("logconfig");
        string config = dir.File("bad.json");
        await File.WriteAllTextAsync(config, content);
        await using var server = TunicornServer.Start(
            [RepoPaths.TestAppDll, "-b", $"127.0.0.1:{FreePort.Next()}", "--log-config-json", config], output);

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        var line = Assert.Single(server.Log.Snapshot());
        Assert.StartsWith($"tunicorn: error: logconfig_json: '{config}'", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogConfigJson_MissingFile_StopsTheStartNamingTheSetting()
    {
        using var dir = new TestDirectory("logconfig");
        string config = dir.File("absent.json");
        await using var server = TunicornServer.Start(
            [RepoPaths.TestAppDll, "-b", $"127.0.0.1:{FreePort.Next()}", "--log-config-json", config], output);

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        Assert.StartsWith($"tunicorn: error: logconfig_json: '{config}' cannot be read", Assert.Single(server.Log.Snapshot()), StringComparison.Ordinal);
    }
}
