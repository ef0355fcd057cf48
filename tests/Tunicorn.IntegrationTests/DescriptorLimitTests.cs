using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Issue 11.3: with a hard open-file limit below what worker_connections needs, running out of descriptors is
/// back-pressure: the worker warns at start, pauses accepting (a warning once per interval), keeps every connection it
/// holds, and accepts again when connections close. It never exits for it.
/// </summary>
public sealed class DescriptorLimitTests(ITestOutputHelper output)
{
    private const int HardLimit = 160;
    /// <summary>The worker's interval between two "cannot accept" lines (WorkerBase.RepeatedLogInterval).</summary>
    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(10);

    private static readonly Regex StartupWarning = new(
        @"Worker \(pid: (?<pid>\d+)\): the open file limit \(160\) is below what worker_connections \(500\) needs: .* holds at most (?<budget>\d+) connections",
        RegexOptions.CultureInvariant);

    private static readonly Regex CannotAccept = new(@"Worker \(pid: (?<pid>\d+)\) cannot accept a waiting client: ", RegexOptions.CultureInvariant);

    [Fact]
    public async Task UnderALowHardLimit_MoreIdleConnectionsThanFit_PauseAccepting_WithoutAWorkerExit_AndAcceptingResumes()
    {
        int port = FreePort.Next();
        // prlimit execs the server with the limit set, so its pid is the master's. The .NET runtime raises the soft
        // limit to the hard one, which is why the hard limit is what the test lowers.
        await using var server = TunicornServer.StartExecutable("/usr/bin/prlimit",
            [$"--nofile={HardLimit}:{HardLimit}", RepoPaths.Cli, RepoPaths.TestAppDll, "-b", $"127.0.0.1:{port}", "-w", "1",
             "-k", "async", "--worker-connections", "500"], output);
        await server.WaitForReadyAsync(1);
        int worker = server.WorkerPids().Single();

        var startup = await server.WaitForLogAsync(StartupWarning, TimeSpan.FromSeconds(10));
        output.WriteLine($"[test] {startup.Value}");
        Assert.Equal(worker, int.Parse(startup.Groups["pid"].Value, CultureInfo.InvariantCulture));
        int budget = int.Parse(startup.Groups["budget"].Value, CultureInfo.InvariantCulture);
        Assert.InRange(budget, 1, HardLimit);

        var served = new List<testapp.TestService.Client>();
        var idle = new List<Socket>();
        try
        {
            // A few served connections first: they must live through what follows.
            for (int i = 0; i < 5; i++)
            {
                served.Add(await ThriftClients.TestServiceAsync(port));
                Assert.Equal(worker, await served[^1].pid());
            }

            // More idle connections than the limit lets the worker hold: the rest wait in the backlog.
            int extra = 30;
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < budget + extra; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                idle.Add(socket);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            }
            await server.WaitForLogAsync(CannotAccept, TimeSpan.FromSeconds(20));

            // The worker lives and keeps what it held.
            foreach (var client in served)
                Assert.Equal(worker, await client.pid());
            Assert.Equal([worker], server.WorkerPids());
            var warnings = server.Log.Matches(CannotAccept);
            output.WriteLine($"[test] {warnings.Count} 'cannot accept' lines in {clock.Elapsed.TotalSeconds:0.0}s: {warnings[0].Value}");
            Assert.InRange(warnings.Count, 1, 1 + (int)(clock.Elapsed / WarningInterval));

            // Closing connections frees descriptors: the backlog drains and a new client is served.
            foreach (var socket in idle.Take(budget))
                socket.Dispose();
            using var newcomer = await ThriftClients.TestServiceAsync(port, TimeSpan.FromSeconds(20));
            Assert.Equal(worker, await newcomer.pid());
            foreach (var client in served)
                Assert.Equal(worker, await client.pid());
        }
        finally
        {
            foreach (var socket in idle)
                socket.Dispose();
            foreach (var client in served)
                client.Dispose();
        }
        Assert.Equal([worker], server.WorkerPids());
        Assert.Single(server.BootingPids());
        Assert.Empty(server.WorkerExits());
    }
}
