using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>Acceptance 10: <c>-b unix:PATH</c> serves clients over a Unix socket.</summary>
public sealed class UnixSocketTests(ITestOutputHelper output)
{
    [Fact]
    public async Task UnixBind_ServesThePythonAndCSharpClientsOverTheSocket()
    {
        using var dir = new TestDirectory("unix");
        string socket = dir.File("calc.sock");
        await using var server = TunicornServer.Start([RepoPaths.CalculatorDll, "-b", $"unix:{socket}", "-w", "2"], output);
        await server.WaitForReadyAsync(2);
        Assert.Equal($"unix:{socket}", server.Log.FirstMatch(LogPatterns.ListeningAt)!.Groups["address"].Value);

        CalculatorChecks.AssertPythonClientPassed(await PythonClient.RunAsync(PythonClient.CalculatorScript, PythonClient.Unix(socket)));

        using var client = await ThriftClients.CalculatorOverUnixSocketAsync(socket);
        await CalculatorChecks.RunAsync(client);
    }
}
