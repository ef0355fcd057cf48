using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>Acceptance 1: the tutorial Calculator served by one master and N workers, called from Python and C#.</summary>
public sealed class CalculatorServingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("sync")]
    [InlineData("threaded")]
    [InlineData("async")]
    public async Task Calculator_ServedByOneMasterAndExactlyTwoWorkers_AnswersPythonAndCSharpClients(string workerClass)
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 2, ["-k", workerClass], output);

        var workers = server.WorkerPids();
        Assert.Equal(2, workers.Count);
        Assert.DoesNotContain(server.MasterPid, workers);
        Assert.Equal($"127.0.0.1:{port}", server.Log.FirstMatch(LogPatterns.ListeningAt)!.Groups["address"].Value);

        CalculatorChecks.AssertPythonClientPassed(
            await PythonClient.RunAsync(PythonClient.CalculatorScript, PythonClient.Tcp(port)));

        using (var client = await ThriftClients.CalculatorAsync(port))
            await CalculatorChecks.RunAsync(client);

        // Serving did not cost a worker.
        Assert.Equal(workers, server.WorkerPids());
    }

    [Theory]
    [InlineData("compact", "framed")]
    [InlineData("json", "buffered")]
    [InlineData("binary", "framed")]
    public async Task ProtocolAndTransportSettings_ServeClientsUsingTheSame(string protocol, string transport)
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 1,
            ["--thrift-protocol-factory", protocol, "--thrift-transport-factory", transport], output);

        CalculatorChecks.AssertPythonClientPassed(await PythonClient.RunAsync(PythonClient.CalculatorScript,
            [.. PythonClient.Tcp(port), "--protocol", protocol, "--transport", transport]));

        using var client = await ThriftClients.CalculatorAsync(port, protocol, transport);
        await CalculatorChecks.RunAsync(client);
    }
}
