using System.Globalization;
using Tunicorn.IntegrationTests.Harness;
using Tunicorn.TestApp;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>Acceptance 6: TERM lets the calls in flight finish, then the master exits 0 and removes its pidfile.</summary>
public sealed class GracefulStopTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Term_UnderLoad_LetsCallsInFlightFinish_AndTheMasterExitsZeroWithinGracefulTimeout()
    {
        using var dir = new TestDirectory("term");
        string pidfile = dir.File("tunicorn.pid");
        string callLog = dir.File("calls.log");
        const int gracefulTimeout = 10;
        const int sleepMs = 2500;

        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2,
            ["--graceful-timeout", gracefulTimeout.ToString(CultureInfo.InvariantCulture), "-p", pidfile], output,
            new Dictionary<string, string?> { [TestServiceHandler.CallLogVariable] = callLog });
        var workers = server.WorkerPids();
        Assert.Equal(server.MasterPid.ToString(CultureInfo.InvariantCulture), (await File.ReadAllTextAsync(pidfile)).Trim());

        await using var load = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Tcp(port), .. PythonClient.Load(connections: 2, durationSeconds: 4, pauseMs: 5, PythonClient.ConnectionPerCall)]);
        await load.WaitForReadyAsync();

        // Two slow calls, each on its own connection, known to be running in a worker (the handler logs its start).
        var clients = await Task.WhenAll(ThriftClients.TestServiceAsync(port), ThriftClients.TestServiceAsync(port));
        try
        {
            var inFlight = clients.Select(c => c.sleep(sleepMs)).ToArray();
            await Eventually.WaitUntilAsync(
                () => File.Exists(callLog) && File.ReadAllLines(callLog).Count(l => l.StartsWith("sleep_start ", StringComparison.Ordinal)) == 2,
                TimeSpan.FromSeconds(10), "both sleep calls started in a worker", server.Describe);

            Assert.True(server.Signal(UnixSignal.Term));

            // Both calls get their replies although the server is stopping.
            await Task.WhenAll(inFlight).WaitAsync(TimeSpan.FromSeconds(gracefulTimeout));
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }

        int code = await server.WaitForExitAsync(TimeSpan.FromSeconds(gracefulTimeout));
        Assert.Equal(0, code);
        Assert.False(File.Exists(pidfile), "the pidfile is still there after a graceful stop");
        Assert.NotNull(server.Log.FirstMatch(LogPatterns.ShuttingDownMaster));
        Assert.All(workers, pid => Assert.Contains(server.WorkerExits(), e => e.Pid == pid));
        ServerAssert.EveryReadCallAnswered(server);
        await Eventually.WaitUntilAsync(() => server.LeftoverWorkers().Count == 0, TimeSpan.FromSeconds(5),
            "no worker outlives its master", () => string.Join(", ", server.LeftoverWorkers()));

        // The load client's calls after the stop fail by design; it only had to make the server busy.
        output.WriteLine($"[test] load during TERM: {await load.LoadResultAsync(TimeSpan.FromSeconds(40))}");
    }
}
