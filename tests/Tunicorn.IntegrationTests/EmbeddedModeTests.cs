using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>Embedded mode: a user's own Program.cs (examples/Calculator.Embedded) runs the same master and workers.</summary>
public sealed class EmbeddedModeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EmbeddedProgram_RunsAsMasterWithTwoWorkers_AndServesTheCalculator()
    {
        int port = FreePort.Next();
        await using var server = TunicornServer.StartExecutable(RepoPaths.EmbeddedCalculator, ["-b", $"127.0.0.1:{port}", "-w", "2"], output);
        var workers = await server.WaitForReadyAsync(2);
        Assert.Equal(2, workers.Count);

        CalculatorChecks.AssertPythonClientPassed(await PythonClient.RunAsync(PythonClient.CalculatorScript, PythonClient.Tcp(port)));
        using (var client = await ThriftClients.CalculatorAsync(port))
            await CalculatorChecks.RunAsync(client);

        // The hooks registered in code ran in each worker process.
        foreach (int pid in workers)
            Assert.Contains(server.Log.Snapshot(), line => line.Contains($"Embedded calculator worker {pid} ready", StringComparison.Ordinal));

        Assert.True(server.Signal(UnixSignal.Term));
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task NativeAotPublishedProgram_RunsAsMasterAndWorkers_ServesTheCalculator_AndBootsAWorkerOnTtin()
    {
        string program = RepoPaths.NativeAotCalculator;
        Assert.True(File.Exists(program),
            $"{program} is missing: scripts/test.sh publishes it (dotnet publish examples/Calculator.Embedded -c Release -r linux-x64)");
        int port = FreePort.Next();
        await using var server = TunicornServer.StartExecutable(program, ["-b", $"127.0.0.1:{port}", "-w", "2"], output);
        var workers = await server.WaitForReadyAsync(2);

        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Ttin));
        await server.WaitForLogAsync(LogPatterns.HandlingSignal(UnixSignal.Ttin), TimeSpan.FromSeconds(10), mark);
        var three = await server.WaitForWorkerCountAsync(3, TunicornServer.BootTimeout);
        Assert.Superset(workers.ToHashSet(), three.ToHashSet());

        // Master and workers are the native program itself: no .NET runtime is loaded in any of them.
        foreach (int pid in three.Prepend(server.MasterPid))
        {
            Assert.Equal(Path.GetFullPath(program), new FileInfo($"/proc/{pid}/exe").LinkTarget);
            Assert.DoesNotContain("libcoreclr.so", File.ReadAllText($"/proc/{pid}/maps"), StringComparison.Ordinal);
        }

        CalculatorChecks.AssertPythonClientPassed(await PythonClient.RunAsync(PythonClient.CalculatorScript, PythonClient.Tcp(port)));
        using (var client = await ThriftClients.CalculatorAsync(port))
            await CalculatorChecks.RunAsync(client);
        foreach (int pid in three)
            await server.WaitForLogAsync(new Regex($"Embedded calculator worker {pid} ready"), TimeSpan.FromSeconds(5));

        Assert.True(server.Signal(UnixSignal.Term));
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }
}
