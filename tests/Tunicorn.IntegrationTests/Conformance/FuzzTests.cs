using System.Globalization;
using System.Text.Json;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Conformance;

/// <summary>
/// Issue 3, acceptance 3, short run: tests/fuzz/fuzz_thrifttest.py sends seeded mutations of valid ThriftTest calls
/// (every protocol and transport; the server is on auto) to each worker class; no worker may die, and a
/// well-behaved call is answered right after every batch. The long run is tests/fuzz/run-fuzz.sh.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 1500;

    [Theory]
    [InlineData("sync", 0)]
    [InlineData("threaded", 1)]
    [InlineData("async", 2)]
    public async Task MutatedCalls_NoWorkerDies_AndWellBehavedCallsAreAnswered(string workerClass, int slice)
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(ThriftTestPython.ThriftTestApp, port, workers: 2,
            ["-k", workerClass, "--threads", "4", "--worker-connections", "4", "--thrift-protocol-factory", "auto",
                "--thrift-transport-factory", "auto", "--thrift-client-timeout", "5"]);
        var workers = server.WorkerPids();

        // Each worker class gets its own slice of the seeded inputs: together they are one reproducible run.
        var result = await ThriftTestPython.RunAsync(Path.Combine("tests", "fuzz", "fuzz_thrifttest.py"),
        [
            .. ThriftTestPython.Endpoint(port), "--master-pid", server.MasterPid.ToString(CultureInfo.InvariantCulture),
            "--seed", "tunicorn", "--first", (slice * Inputs).ToString(CultureInfo.InvariantCulture),
            "--inputs", Inputs.ToString(CultureInfo.InvariantCulture), "--max-seconds", "90", "--check-every", "500",
        ], TimeSpan.FromSeconds(150));
        output.WriteLine(result.Stdout);

        JsonElement report = result.Json;
        Assert.True(result.ExitCode == 0 && report.GetProperty("ok").GetBoolean(), $"fuzzing failed: {result}{Environment.NewLine}{server.Log.Tail()}");
        Assert.Equal(Inputs, report.GetProperty("inputs").GetInt32());
        Assert.Equal(workers.Order(), server.WorkerPids().Order());
        Assert.Empty(server.WorkerExits());
        var errors = server.Log.Snapshot().Where(line => LogPatterns.ErrorLevel.IsMatch(line)).ToList();
        Assert.True(errors.Count == 0, $"errors logged:{Environment.NewLine}{string.Join(Environment.NewLine, errors.Take(20))}");
    }
}
