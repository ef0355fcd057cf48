using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>A gunicorn_thrift config moved as it is: Python factory names for thrift_protocol_factory and thrift_transport_factory.</summary>
public sealed class ThriftFactoryNameTests(ITestOutputHelper output)
{
    [Fact]
    public async Task GunicornThriftFactoryNames_ServeClientsOfThatProtocolAndTransport()
    {
        using var dir = new TestDirectory("gunicorn-thrift-names");
        File.WriteAllText(dir.File("tunicorn.toml"), """
            thrift_protocol_factory = "thrift.protocol.TCompactProtocol:TCompactProtocolFactory"
            thrift_transport_factory = "thrift.transport.TTransport:TFramedTransportFactory"
            """);
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 1, ["-c", dir.File("tunicorn.toml")], output);

        CalculatorChecks.AssertPythonClientPassed(await PythonClient.RunAsync(PythonClient.CalculatorScript,
            [.. PythonClient.Tcp(port), "--protocol", "compact", "--transport", "framed"]));
        using var client = await ThriftClients.CalculatorAsync(port, "compact", "framed");
        await CalculatorChecks.RunAsync(client);
    }
}
