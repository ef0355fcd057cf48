using System.Text;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// What the master sets in each worker's environment for its runtime, which reads it once at start-up:
/// worker_gen0_budget (DOTNET_GCgen0size, hexadecimal, as the GC reads it) and worker_tiering. An operator's own
/// variable wins. /proc/PID/environ is the environment the worker process was started with.
/// </summary>
public sealed class WorkerRuntimeEnvironmentTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(new string[0], null, "100000")]
    [InlineData(new[] { "--worker-gen0-budget", "4194304" }, null, "400000")]
    [InlineData(new[] { "--worker-gen0-budget", "0" }, null, null)]
    [InlineData(new[] { "-e", "DOTNET_GCgen0size=200000" }, null, "200000")]
    [InlineData(new string[0], "80000", "80000")]
    public async Task EveryWorker_StartsWithTheGen0BudgetOfTheSetting_UnlessTheOperatorSetsItself(
        string[] arguments, string? inheritedValue, string? expected)
    {
        int port = FreePort.Next();
        var environment = new Dictionary<string, string?> { ["DOTNET_GCgen0size"] = inheritedValue };
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2, arguments, output, environment);

        foreach (int pid in server.WorkerPids())
            Assert.Equal(expected, StartEnvironment(pid).GetValueOrDefault("DOTNET_GCgen0size"));
        Assert.Equal(inheritedValue, StartEnvironment(server.MasterPid).GetValueOrDefault("DOTNET_GCgen0size"));

        using var client = await ThriftClients.TestServiceAsync(port);
        Assert.Equal(5, await client.add(2, 3));
    }

    [Theory]
    [InlineData(new string[0], null, "0", "20")]
    [InlineData(new[] { "--worker-tiering", "pgo" }, null, null, null)]
    [InlineData(new[] { "--worker-tiering", "quick", "-e", "DOTNET_TC_CallCountingDelayMs=64" }, null, "0", "64")]
    [InlineData(new string[0], "1", "1", "20")]
    public async Task Quick_TieringStartsEveryWorkerWithoutPgoAndWithAShortCallCountingDelay_UnlessTheOperatorSetsEither(
        string[] arguments, string? inheritedPgo, string? expectedPgo, string? expectedDelay)
    {
        int port = FreePort.Next();
        var environment = new Dictionary<string, string?> { ["DOTNET_TieredPGO"] = inheritedPgo, ["DOTNET_TC_CallCountingDelayMs"] = null };
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2, arguments, output, environment);

        foreach (int pid in server.WorkerPids())
        {
            var started = StartEnvironment(pid);
            Assert.Equal(expectedPgo, started.GetValueOrDefault("DOTNET_TieredPGO"));
            Assert.Equal(expectedDelay, started.GetValueOrDefault("DOTNET_TC_CallCountingDelayMs"));
        }
        // The master's own runtime is left as the operator started it.
        Assert.Equal(inheritedPgo, StartEnvironment(server.MasterPid).GetValueOrDefault("DOTNET_TieredPGO"));
        Assert.False(StartEnvironment(server.MasterPid).ContainsKey("DOTNET_TC_CallCountingDelayMs"));

        using var client = await ThriftClients.TestServiceAsync(port);
        Assert.Equal(5, await client.add(2, 3));
    }

    private static Dictionary<string, string> StartEnvironment(int pid) =>
        Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/environ"))
            .Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
}
