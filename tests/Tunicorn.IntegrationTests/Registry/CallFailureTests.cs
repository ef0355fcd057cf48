using Tunicorn.Client;
using Tunicorn.Client.Discovery;
using Tunicorn.IntegrationTests.Harness;
using Tunicorn.TestApp;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// One exception model (issue 18, defect 5): a protocol mismatch and a worker killed under a call reach the caller as
/// <see cref="CallFailedException"/> with the server, whether the request was sent, the reason, and the cause inside.
/// </summary>
public sealed class CallFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ProtocolMismatch_ServerServesCompact_ABinaryClient_GetsCallFailed_NamingWhatEachSpeaks()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(TestServiceApp.Spec, port, 1, ["--thrift-protocol-factory", "compact"], output);
        var announced = new ServiceInstance($"127.0.0.1:{port}", "127.0.0.1", port) { Protocol = "compact", Transport = "buffered" };
        await using var told = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions
        {
            Discovery = new StaticDiscovery([announced]),
            Protocol = ThriftWireProtocol.Binary,
        });
        await using var untold = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions { Servers = [$"127.0.0.1:{port}"] });

        var e = await Assert.ThrowsAsync<CallFailedException>(() => told.CallAsync((c, ct) => c.add(1, 2, ct)));
        var guessed = await Assert.ThrowsAsync<CallFailedException>(() => untold.CallAsync((c, ct) => c.add(1, 2, ct)));

        output.WriteLine($"[test] announced: {e.Reason}: {e.Message}");
        output.WriteLine($"[test] not announced: {guessed.Reason}: {guessed.Message}");
        Assert.Equal(CallFailureReason.ProtocolMismatch, e.Reason);
        Assert.Contains("announces compact/buffered, this client speaks binary/buffered", e.Message);
        Assert.Equal(port, e.Server!.Port);
        Assert.True(e.RequestSent);
        Assert.NotNull(e.InnerException);
        Assert.Contains(guessed.Reason, new[] { CallFailureReason.ConnectionClosed, CallFailureReason.ConnectionReset });
        Assert.Contains("does not speak binary/buffered", guessed.Message);
    }

    [Fact]
    public async Task KillMinus9_OfTheWorkerUnderACall_GivesCallFailed_RequestSent_WithTheSocketErrorInside()
    {
        using var dir = new TestDirectory("client-kill");
        string callLog = dir.File("calls.log");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(TestServiceApp.Spec, port, 1, output: output,
            environment: new Dictionary<string, string?> { [TestServiceHandler.CallLogVariable] = callLog });
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions { Servers = [$"127.0.0.1:{port}"] });
        int worker = server.WorkerPids().Single();

        var call = client.CallAsync((c, ct) => c.sleep(20_000, ct), new CallOptions { Timeout = TimeSpan.FromSeconds(30) });
        await Eventually.WaitUntilAsync(() => File.Exists(callLog) && File.ReadAllText(callLog).Contains("sleep_start ", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the call runs in the worker", server.Describe);
        Assert.True(Posix.Kill(worker, UnixSignal.Kill));

        var e = await Assert.ThrowsAsync<CallFailedException>(() => call);
        output.WriteLine($"[test] {e.Reason}: {e.Message} (inner {e.InnerException?.GetType().Name})");
        Assert.Contains(e.Reason, new[] { CallFailureReason.ConnectionClosed, CallFailureReason.ConnectionReset });
        Assert.True(e.RequestSent);
        Assert.Equal(port, e.Server!.Port);
        Assert.NotNull(e.InnerException);
    }
}
