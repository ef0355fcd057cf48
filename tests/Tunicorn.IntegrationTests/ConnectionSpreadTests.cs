using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Persistent connections opened in a burst are shared evenly by the async workers (PLATFORM-NOTES: a greedy
/// async accept loop lets one worker take them all, which leaves the other cores idle).
/// </summary>
public sealed class ConnectionSpreadTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task SixtyFourPersistentConnections_AreSpreadEvenlyOverTheWorkers(int workers)
    {
        const int connections = 64;
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers, ["-k", "async"], output);
        // Every worker must be accepting, not only booted, before the burst.
        await Eventually.WaitUntilAsync(() => server.BootedPids().Count == workers, TunicornServer.BootTimeout, "all workers booted");

        var clients = new List<testapp.TestService.Client>();
        try
        {
            // The burst: every connection is open before the first call, as a connection pool fills up.
            var opening = Enumerable.Range(0, connections).Select(_ => ThriftClients.TestServiceAsync(port)).ToArray();
            clients.AddRange(await Task.WhenAll(opening));
            var perWorker = new Dictionary<int, int>();
            foreach (var client in clients)
            {
                int pid = await client.pid();
                perWorker[pid] = perWorker.GetValueOrDefault(pid) + 1;
            }
            output.WriteLine($"[test] connections per worker: {string.Join(", ", perWorker.Select(p => $"{p.Key}={p.Value}"))}");

            Assert.Equal(workers, perWorker.Count);
            int share = connections / workers;
            Assert.All(perWorker.Values, count => Assert.InRange(count, share - 8, share + 8));
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }
    }
}
