using System.Text;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// worker_gen0_budget: the master starts each worker with DOTNET_GCgen0size (hexadecimal, as the GC reads it), which the
/// runtime reads once at start-up; an operator's own DOTNET_GCgen0size wins. /proc/PID/environ is the environment
/// the worker process was started with.
/// </summary>
public sealed class WorkerGcBudgetTests(ITestOutputHelper output)
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

    private static Dictionary<string, string> StartEnvironment(int pid) =>
        Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/environ"))
            .Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
}
