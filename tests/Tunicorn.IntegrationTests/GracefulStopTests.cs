using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
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

    [Fact]
    public async Task Term_IdleServerWithIdleConnections_ClosesThemAtOnce_AndExitsZeroLongBeforeGracefulTimeout()
    {
        const int gracefulTimeout = 30;
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2,
            ["--graceful-timeout", gracefulTimeout.ToString(CultureInfo.InvariantCulture), "--log-level", "debug"], output);
        var workers = server.WorkerPids();

        // Connections that never send a call, as a client's pool keeps them open.
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                idle.Add(socket);
                await socket.ConnectAsync(IPAddress.Loopback, port);
            }
            var peers = idle.Select(s => $"127.0.0.1:{((IPEndPoint)s.LocalEndPoint!).Port}").ToArray();
            await Eventually.WaitUntilAsync(() => peers.All(peer => server.Log.Snapshot().Any(l => l.Contains($"from {peer} opened", StringComparison.Ordinal))),
                TimeSpan.FromSeconds(20), "every idle connection accepted by a worker", server.Describe);
            // A connection gets a short grace (1 s from its accept) for a first call its client may be sending as the stop
            // begins; these are older than that, so nothing may wait for them.
            await Task.Delay(TimeSpan.FromSeconds(1.5));

            var clock = Stopwatch.StartNew();
            Assert.True(server.Signal(UnixSignal.Term));
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(gracefulTimeout + 10)));
            clock.Stop();
            output.WriteLine($"[test] TERM to master exit: {clock.ElapsedMilliseconds} ms");

            foreach (string peer in peers)
            {
                Assert.Contains(server.Log.Snapshot(), l => l.Contains($"from {peer} sent no call in the", StringComparison.Ordinal)
                    && l.EndsWith("closed at once, the worker is stopping", StringComparison.Ordinal));
            }
            Assert.All(workers, pid => Assert.Contains(server.WorkerExits(), e => e.Pid == pid));
            Assert.DoesNotContain(server.Log.Snapshot(), l => l.Contains("SIGKILL", StringComparison.Ordinal));
            // Nothing waited for graceful_timeout: the stop took a small part of it (a generous bound on a busy machine).
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(gracefulTimeout / 3.0), $"the stop took {clock.Elapsed}");
        }
        finally
        {
            foreach (var socket in idle)
                socket.Dispose();
        }
    }
}
