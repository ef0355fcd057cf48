using System.Net;
using System.Text.RegularExpressions;
using Thrift;
using Thrift.Protocol;
using Thrift.Protocol.Entities;
using Thrift.Transport;
using Thrift.Transport.Client;
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

    /// <summary>
    /// Issue 11.10: the reply to an unknown service or method names no other service and echoes at most
    /// 64 characters of the name the client sent (a 1 MB name made a 2 MB reply); the connection lives on.
    /// </summary>
    [Fact]
    public async Task UnknownServiceOrMethod_ReplyListsNoServices_AndEchoesABoundedName()
    {
        int port = FreePort.Next();
        string dll = ThriftTestPython.ThriftTestDll;
        await using var server = await TunicornServer.StartAsync($"--service=ThriftTest={dll}", port, workers: 1,
            ["--service", $"SecondService={dll}", "--thrift-protocol-factory", "binary", "--thrift-transport-factory", "buffered",
             "--log-level", "debug"], output);

        var stranger = await ConformanceClients.ThriftTestAsync(port, "binary", "buffered", multiplexedName: "NoSuchService");
        try
        {
            var error = await Assert.ThrowsAsync<TApplicationException>(() => stranger.testI32(1));
            output.WriteLine($"unknown service: '{error.Message}'");
            Assert.Equal(TApplicationException.ExceptionType.UnknownMethod, error.Type);
            Assert.Contains("NoSuchService", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("SecondService", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("ThriftTest", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            ConformanceClients.Close(stranger);
        }
        // The operator still learns which services there are.
        await server.WaitForLogAsync(new Regex("the services here are ThriftTest, SecondService"), TimeSpan.FromSeconds(10));

        var socket = new TSocketTransport(IPAddress.Loopback, port, new TConfiguration(), 20_000);
        var protocol = new TBinaryProtocol(new TBufferedTransport(socket));
        await protocol.Transport.OpenAsync(CancellationToken.None);
        try
        {
            string longName = new('x', 1024 * 1024);
            // A service that is not here, and a method the default service does not have (the generated processor's reply).
            foreach (string name in (string[])[$"NoSuchService:{longName}", $"{longName}\n"])
            {
                await WriteEmptyCallAsync(protocol, name, seqId: 7);
                TMessage header = await protocol.ReadMessageBeginAsync(CancellationToken.None);
                var error = await TApplicationException.ReadAsync(protocol, CancellationToken.None);
                await protocol.ReadMessageEndAsync(CancellationToken.None);
                output.WriteLine($"reply to a {name.Length}-character name: header name {header.Name.Length} characters, text {error.Message.Length}: '{error.Message}'");
                Assert.Equal(TMessageType.Exception, header.Type);
                Assert.Equal(7, header.SeqID);
                Assert.Equal(TApplicationException.ExceptionType.UnknownMethod, error.Type);
                Assert.StartsWith(name[..20], header.Name, StringComparison.Ordinal);
                Assert.True(header.Name.Length <= 100, $"the reply's header echoes {header.Name.Length} characters of the name");
                Assert.True(error.Message.Length <= 250, $"the reply's text has {error.Message.Length} characters");
                Assert.Contains(name[..20], error.Message, StringComparison.Ordinal);
                Assert.DoesNotContain("SecondService", error.Message, StringComparison.Ordinal);
            }

            // Still the same connection, still served.
            await WriteEmptyCallAsync(protocol, "ThriftTest:testVoid", seqId: 8);
            TMessage reply = await protocol.ReadMessageBeginAsync(CancellationToken.None);
            Assert.Equal(TMessageType.Reply, reply.Type);
        }
        finally
        {
            protocol.Transport.Close();
        }
    }

    private static async Task WriteEmptyCallAsync(TProtocol protocol, string name, int seqId)
    {
        await protocol.WriteMessageBeginAsync(new TMessage(name, TMessageType.Call, seqId), CancellationToken.None);
        await protocol.WriteStructBeginAsync(new TStruct("args"), CancellationToken.None);
        await protocol.WriteFieldStopAsync(CancellationToken.None);
        await protocol.WriteStructEndAsync(CancellationToken.None);
        await protocol.WriteMessageEndAsync(CancellationToken.None);
        await protocol.Transport.FlushAsync(CancellationToken.None);
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
