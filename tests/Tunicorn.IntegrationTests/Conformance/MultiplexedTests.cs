using System.Text.RegularExpressions;
using Thrift;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Conformance;

/// <summary>
/// Issue 3, acceptance 4: ThriftTest and SecondService on one port (--service NAME=APP twice), called through
/// TMultiplexedProtocol by Python and C# clients, while plain clients reach the first service named.
/// </summary>
public sealed class MultiplexedTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("sync")]
    [InlineData("async")]
    public async Task TwoServicesOnOnePort_MultiplexedAndPlainClients_AreBothServed(string workerClass)
    {
        int port = FreePort.Next();
        string dll = ThriftTestPython.ThriftTestDll;
        await using var server = await TunicornServer.StartAsync($"--service=ThriftTest={dll}", port, workers: 2,
            ["--service", $"SecondService={dll}", "-k", workerClass, "--thrift-protocol-factory", "auto", "--thrift-transport-factory", "auto"], output);

        // Python: every cell multiplexed (ThriftTest and SecondService on one connection), and plain ThriftTest calls.
        var multiplexed = ThriftTestPython.ClientAsync([.. ThriftTestPython.Endpoint(port), "--multiplexed", "--cells", "binary:buffered,compact:framed,json:buffered"]);
        var plain = ThriftTestPython.ClientAsync([.. ThriftTestPython.Endpoint(port), "--cells", "binary:framed,compact:buffered"]);
        ThriftTestChecks.AssertPythonPassed(await multiplexed, ["binary:buffered", "compact:framed", "json:buffered"]);
        ThriftTestChecks.AssertPythonPassed(await plain, ["binary:framed", "compact:buffered"]);

        // C#: both services through TMultiplexedProtocol on one connection, then a plain client.
        var (test, second) = await ConformanceClients.MultiplexedAsync(port, "compact", "buffered");
        try
        {
            Assert.Equal("testString(\"C#\")", await second.secondtestString("C#"));
            await ThriftTestChecks.RunAsync(test);
            Assert.Equal("testString(\"again\")", await second.secondtestString("again"));
        }
        finally
        {
            ConformanceClients.Close(test);
        }
        var plainClient = await ConformanceClients.ThriftTestAsync(port, "binary", "buffered");
        try
        {
            await ThriftTestChecks.RunAsync(plainClient);
        }
        finally
        {
            ConformanceClients.Close(plainClient);
        }

        // A service the server does not have: UNKNOWN_METHOD, like an unknown method, and the connection lives on.
        var stranger = await ConformanceClients.ThriftTestAsync(port, "binary", "framed", multiplexedName: "NoSuchService");
        var other = await ConformanceClients.ThriftTestAsync(port, "binary", "buffered");
        try
        {
            var error = await Assert.ThrowsAsync<TApplicationException>(() => stranger.testI32(1));
            Assert.Equal(TApplicationException.ExceptionType.UnknownMethod, error.Type);
            Assert.Contains("NoSuchService", error.Message, StringComparison.Ordinal);
            error = await Assert.ThrowsAsync<TApplicationException>(() => stranger.testVoid());
            Assert.Equal(TApplicationException.ExceptionType.UnknownMethod, error.Type);
            Assert.Equal(7, await other.testI32(7));
        }
        finally
        {
            ConformanceClients.Close(stranger);
            ConformanceClients.Close(other);
        }
        await server.WaitForLogAsync(new Regex("called unknown method 'NoSuchService:testI32'"), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ServiceSetting_NamingAServiceTheAssemblyDoesNotHave_StopsTheMasterWithTheReason()
    {
        int port = FreePort.Next();
        await using var server = TunicornServer.Start(
            ["--service", $"Calculator={ThriftTestPython.ThriftTestDll}", "-b", $"127.0.0.1:{port}"], output);
        int code = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, code);
        Assert.Contains(server.Log.Snapshot(), line => line.Contains("no handler class implementing a generated Calculator.IAsync", StringComparison.Ordinal));
    }
}
