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
}
