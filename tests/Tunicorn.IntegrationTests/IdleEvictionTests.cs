using System.Text.RegularExpressions;
using Thrift.Transport;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Issue 11.8: idle connections must not hold every slot of a worker forever. At worker_connections, a worker closes
/// its longest-idle connection between calls to admit a new client, and says so in the log.
/// </summary>
public sealed class IdleEvictionTests(ITestOutputHelper output)
{
    private static readonly Regex IdleClosed = new(
        @"Worker \(pid: (?<pid>\d+)\) at (worker_connections|threads) \(10\) with a client waiting: closed connection \d+ from (?<peer>\S+), idle for [\d.]+s, to admit it \(idle connections closed: (?<total>\d+)",
        RegexOptions.CultureInvariant);

    // Idle counts from each connection's last reply: counted from when the worker began waiting again, a worker slow
    // after its first reply (a cold start on a busy machine) once closed the second-oldest connection instead.
    [Theory]
    [InlineData("async")]
    [InlineData("threaded")]
    [InlineData("sync")]
    public async Task AtWorkerConnections_ANewClientIsAnswered_AndTheLongestIdleConnectionIsClosed_WithALogLine(string workerClass)
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1,
            ["-k", workerClass, "--worker-connections", "10", "--threads", "10"], output);
        int worker = server.WorkerPids().Single();

        var idle = new List<testapp.TestService.Client>();
        try
        {
            // Ten connections, each served once and then idle; the first one has been idle longest.
            for (int i = 0; i < 10; i++)
            {
                idle.Add(await ThriftClients.TestServiceAsync(port));
                Assert.Equal(worker, await idle[^1].pid());
            }
            int mark = server.LogMark;

            // Without room for it, the eleventh client would wait in the backlog for as long as the others stay idle.
            using (var newcomer = await ThriftClients.TestServiceAsync(port, TimeSpan.FromSeconds(10)))
                Assert.Equal(3, await newcomer.add(1, 2).WaitAsync(TimeSpan.FromSeconds(30)));

            var line = await server.WaitForLogAsync(IdleClosed, TimeSpan.FromSeconds(10), mark);
            output.WriteLine($"[test] {line.Value}");
            Assert.Equal(worker, int.Parse(line.Groups["pid"].Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("1", line.Groups["total"].Value);

            // The oldest idle connection was the one closed: its next call fails; the newest ones still work.
            var closed = await Assert.ThrowsAnyAsync<Exception>(() => idle[0].add(1, 1));
            Assert.True(closed is TTransportException or IOException, $"expected the connection to be closed, got {closed}");
            Assert.Equal(worker, await idle[^1].pid());
            Assert.Equal(worker, await idle[1].pid());
            Assert.Single(server.Log.Matches(IdleClosed, mark));
        }
        finally
        {
            foreach (var client in idle)
                client.Dispose();
        }
        Assert.Equal([worker], server.WorkerPids());
    }
}
