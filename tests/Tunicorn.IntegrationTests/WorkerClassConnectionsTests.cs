using System.Diagnostics;
using Tunicorn.IntegrationTests.Harness;
using Tunicorn.TestApp;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Issue 13: every worker class serves every connection of a pool of persistent clients, not only as many as it runs
/// calls at once; sync runs one call at a time per worker, threaded at most <c>threads</c>.
/// </summary>
public sealed class WorkerClassConnectionsTests(ITestOutputHelper output)
{
    private const int PooledConnections = 64;
    private const int AnswersEach = 50;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    /// <summary>Not a timing threshold: only ends a test whose call waits for something that never comes.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("sync")]
    [InlineData("threaded")]
    [InlineData("async")]
    public async Task PooledPersistentClients_64PythonAnd64CSharp_OnTwoWorkers_EachGetAtLeast50AnswersWithin10s(string workerClass)
    {
        int port = FreePort.Next();
        // Default settings otherwise: threaded with threads = 1 is the case that served two connections of 64.
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2, ["-k", workerClass], output);
        var workers = server.WorkerPids();

        await using var python = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Tcp(port), .. PythonClient.Load(PooledConnections, Window.TotalSeconds)]);
        var clients = new List<testapp.TestService.Client>();
        try
        {
            for (int i = 0; i < PooledConnections; i++)
                clients.Add(await ThriftClients.TestServiceAsync(port, TimeSpan.FromSeconds(30)));
            long[] answers = await Task.WhenAll(clients.Select(CallForTheWindowAsync)).WaitAsync(Deadline);
            var load = await python.LoadResultAsync(Deadline);
            output.WriteLine($"[test] C# answers per connection: min {answers.Min()}, max {answers.Max()}, total {answers.Sum()}");
            output.WriteLine($"[test] Python load: {load}");

            Assert.True(answers.Min() >= AnswersEach,
                $"a C# connection got {answers.Min()} answers in {Window.TotalSeconds} s: {string.Join(",", answers)}{Environment.NewLine}{server.Log.Tail()}");
            ServerAssert.NoFailedCalls(load, "the Python pool");
            Assert.True(load.ConnectionCallsMin >= AnswersEach,
                $"a Python connection got {load.ConnectionCallsMin} answers in {Window.TotalSeconds} s: {load}{Environment.NewLine}{server.Log.Tail()}");
            // Both workers took part.
            Assert.Equal(workers.Order(), load.Pids.Keys.Order());
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }
        Assert.Equal(workers, server.WorkerPids());
    }

    [Fact]
    public async Task SyncWorker_HandlerThatBlocks_DelaysTheOtherConnectionsOfItsWorker_AndNoConnectionOfTheOther()
    {
        using var dir = new TestDirectory("sync-blocking");
        string callLog = dir.File("calls.log");
        string release = dir.File("release");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2, ["-k", "sync", "-t", "300"], output,
            new Dictionary<string, string?>
            {
                [TestServiceHandler.CallLogVariable] = callLog,
                [TestServiceHandler.ReleaseFileVariable] = release,
            });

        var clients = new List<(testapp.TestService.Client Client, int Worker)>();
        Task? sleeping = null;
        Task<int>? delayed = null;
        try
        {
            for (int i = 0; i < 16; i++)
            {
                var client = await ThriftClients.TestServiceAsync(port, TimeSpan.FromSeconds(120));
                clients.Add((client, await client.pid()));
            }
            var byWorker = clients.GroupBy(c => c.Worker).OrderByDescending(g => g.Count()).ToArray();
            Assert.True(byWorker.Length == 2 && byWorker[1].Count() >= 1,
                $"the 16 connections are not on both workers: {string.Join(", ", byWorker.Select(g => $"{g.Key}: {g.Count()}"))}");
            var blockedWorker = byWorker[0].ToArray();
            var otherWorker = byWorker[1].ToArray();
            int blockedPid = byWorker[0].Key;

            sleeping = blockedWorker[0].Client.sleep(600_000);
            await Eventually.WaitUntilAsync(() => File.Exists(callLog) && File.ReadAllLines(callLog).Contains($"sleep_start {blockedPid} 600000"),
                Deadline, "the blocking call running in its handler", server.Describe);
            delayed = blockedWorker[1].Client.add(1, 2);

            // Every connection of the other worker is answered, again and again, while the handler blocks.
            for (int round = 0; round < 3; round++)
            {
                foreach (var (client, _) in otherWorker)
                    Assert.Equal(5, await client.add(2, 3).WaitAsync(Deadline));
            }

            // One call at a time per sync worker: the call on the blocked worker cannot have run.
            Assert.False(delayed.IsCompleted, "a call ran on the sync worker while its handler blocked");
            Assert.False(sleeping.IsCompleted);
        }
        finally
        {
            await File.WriteAllTextAsync(release, "go");
        }

        await sleeping.WaitAsync(Deadline);
        Assert.Equal(3, await delayed.WaitAsync(Deadline));
        foreach (var (client, _) in clients)
            client.Dispose();
    }

    [Fact]
    public async Task ThreadedWorker_Threads4_Over64Connections_RunsAtMost4CallsAtOnce()
    {
        const int threads = 4;
        using var dir = new TestDirectory("threads-4");
        string callLog = dir.File("calls.log");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1,
            ["-k", "threaded", "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture)], output,
            new Dictionary<string, string?> { [TestServiceHandler.CallLogVariable] = callLog });
        int worker = server.WorkerPids().Single();

        var clients = new List<testapp.TestService.Client>();
        try
        {
            for (int i = 0; i < PooledConnections; i++)
                clients.Add(await ThriftClients.TestServiceAsync(port, TimeSpan.FromSeconds(60)));
            // Every connection makes blocking calls back to back.
            await Task.WhenAll(clients.Select(async client =>
            {
                for (int call = 0; call < 3; call++)
                    await client.sleep(20);
            })).WaitAsync(Deadline);
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }

        // As the handler saw them: each sleep writes its start before blocking and its end after.
        int running = 0;
        int most = 0;
        int ended = 0;
        foreach (string line in File.ReadAllLines(callLog))
        {
            if (line == $"sleep_start {worker} 20")
                most = Math.Max(most, ++running);
            else if (line == $"sleep_end {worker} 20")
            {
                running--;
                ended++;
            }
        }
        output.WriteLine($"[test] {ended} calls, at most {most} at once");
        Assert.Equal(PooledConnections * 3, ended);
        Assert.True(most <= threads, $"{most} calls ran at once with threads = {threads}");
        // The limit is the threads, not fewer: the calls did run side by side.
        Assert.Equal(threads, most);
    }

    /// <summary>Calls add on one connection until the window ends; returns how many were answered.</summary>
    private static async Task<long> CallForTheWindowAsync(testapp.TestService.Client client)
    {
        var clock = Stopwatch.StartNew();
        long answered = 0;
        while (clock.Elapsed < Window)
        {
            int a = (int)(answered % 1000);
            Assert.Equal(a + 1, await client.add(a, 1));
            answered++;
        }
        return answered;
    }
}
