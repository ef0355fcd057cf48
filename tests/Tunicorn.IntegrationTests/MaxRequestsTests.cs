using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>Acceptance 7: <c>--max-requests</c> recycles workers under load without failing a call.</summary>
public sealed class MaxRequestsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task MaxRequests50_UnderLoad_RecyclesWorkers_WithoutAFailedCall()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2,
            ["--max-requests", "50", "--graceful-timeout", "10"], output);
        var initial = server.WorkerPids();

        // ~100 calls/s in all: a recycle every half second or so, which a 2-core machine can boot workers for.
        await using var retrying = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Tcp(port), .. PythonClient.Load(connections: 3, durationSeconds: 5, pauseMs: 40, PythonClient.RetryOnceOnIdleClose)]);
        await using var perCall = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Tcp(port), .. PythonClient.Load(connections: 1, durationSeconds: 5, pauseMs: 40, PythonClient.ConnectionPerCall)]);

        var retried = await retrying.LoadResultAsync(TimeSpan.FromSeconds(40));
        var single = await perCall.LoadResultAsync(TimeSpan.FromSeconds(40));
        output.WriteLine($"[test] retrying persistent client: {retried}");
        output.WriteLine($"[test] connection-per-call client: {single}");

        ServerAssert.NoFailedCalls(retried, "the retrying persistent client");
        ServerAssert.NoFailedCalls(single, "the connection-per-call client");
        Assert.Equal(0, single.Retries);

        // Workers were recycled: new pids booted and answered calls, and the old ones reported their calls on exit.
        Assert.True(server.BootingPids().Count > 2, $"no worker was recycled{Environment.NewLine}{server.Log.Tail()}");
        Assert.True(retried.Pids.Keys.Concat(single.Pids.Keys).Except(initial).Any(), "no call was answered by a recycled worker");
        Assert.NotEmpty(server.WorkerExits());
        ServerAssert.EveryReadCallAnswered(server);
        await server.WaitForWorkerCountAsync(2, TunicornServer.BootTimeout);
    }
}
