using System.Globalization;
using Tunicorn.IntegrationTests.Harness;
using Tunicorn.TestApp;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Issue 11.6: handlers that block must not stall the async worker. The README promises that when every loop thread is
/// stuck in a handler for 50 ms the loop adds one, so with N blocked calls every call still gets a thread and a probe on
/// another connection of the same worker is answered while the N are still blocked.
/// </summary>
public sealed class BlockingHandlerTests(ITestOutputHelper output)
{
    private const int BlockedCalls = 20;

    /// <summary>Not a timing threshold: far beyond 100 ms plus a thread start, it only ends a test whose probe waits for the release.</summary>
    private static readonly TimeSpan ProbeDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task BlockedCalls_EachGetALoopThread_AndProbesOnTheSameWorkerAreAnsweredWhileTheyBlock()
    {
        using var dir = new TestDirectory("blocking");
        string callLog = dir.File("calls.log");
        string release = dir.File("release");
        int port = FreePort.Next();
        // One worker, so that every connection is on the worker whose threads block; -t well above the test's length.
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1, ["-k", "async", "-t", "300"], output,
            new Dictionary<string, string?>
            {
                [TestServiceHandler.CallLogVariable] = callLog,
                [TestServiceHandler.ReleaseFileVariable] = release,
            });
        int worker = server.WorkerPids().Single();

        var blockers = new List<testapp.TestService.Client>();
        var probes = new List<testapp.TestService.Client>();
        Task[] blocked = [];
        try
        {
            // Connected and served once first, so that the calls below arrive on established connections, all at once.
            for (int i = 0; i < BlockedCalls; i++)
                blockers.Add(await ThriftClients.TestServiceAsync(port, TimeSpan.FromSeconds(120)));
            for (int i = 0; i < 2; i++)
                probes.Add(await ThriftClients.TestServiceAsync(port));
            foreach (var client in blockers.Concat(probes))
                Assert.Equal(worker, await client.pid());

            // Block until released by the test: the calls arrive together, in the same readiness batches.
            blocked = blockers.Select(c => c.sleep(600_000)).ToArray();
            // A probe sent with them: it must not wait behind them in the batch of a thread that blocked.
            Assert.Equal(3, await probes[0].add(1, 2).WaitAsync(ProbeDeadline));
            Assert.DoesNotContain(blocked, t => t.IsCompleted);

            // Every blocked call gets a thread of its own.
            await Eventually.WaitUntilAsync(() => StartedSleeps(callLog) == BlockedCalls, TimeSpan.FromSeconds(60),
                $"all {BlockedCalls} blocking calls running in handlers (now {StartedSleeps(callLog)})", server.Describe);

            // With all of them blocked, a probe on another connection of the worker is answered.
            Assert.Equal(5, await probes[1].add(2, 3).WaitAsync(ProbeDeadline));
            Assert.Equal(7, await probes[0].add(3, 4).WaitAsync(ProbeDeadline));
            Assert.False(File.Exists(release));
            Assert.DoesNotContain(blocked, t => t.IsCompleted);
        }
        finally
        {
            await File.WriteAllTextAsync(release, "go");
            foreach (var client in probes)
                client.Dispose();
        }

        await Task.WhenAll(blocked).WaitAsync(TimeSpan.FromSeconds(60));
        foreach (var client in blockers)
            client.Dispose();
        Assert.Equal([worker], server.WorkerPids());
    }

    private static int StartedSleeps(string callLog) =>
        File.Exists(callLog) ? File.ReadAllLines(callLog).Count(l => l.StartsWith("sleep_start ", StringComparison.Ordinal)) : 0;
}
