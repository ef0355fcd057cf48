using System.Text.Json;
using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Tunicorn.TestApp;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// reload_strategy rolling (issue 15 item 2): a HUP replaces one worker at a time, never fewer than the target
/// accepting, and a new worker that fails to boot stops the rollout with the old and new workers up serving.
/// </summary>
public sealed partial class RollingReloadTests(ITestOutputHelper output)
{
    private const int Workers = 4;
    private const int Clients = 8;
    private const int PauseMs = 20;
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RolloutDeadline = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task RollingHup_UnderPersistentLoad_KeepsFourWorkersAccepting_ReplacesEveryPid_WithoutAFailedCall()
    {
        using var dir = new TestDirectory("rolling");
        string socket = dir.File("ctl.sock");
        string stopFile = dir.File("stop");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, Workers,
            ["--reload-strategy", "rolling", "--graceful-timeout", "20", "--control-socket", socket], output);
        var old = server.WorkerPids();
        await using var python = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Tcp(port), .. PythonClient.Load(Clients, durationSeconds: 250, PauseMs), "--stop-file", stopFile]);
        await python.WaitForReadyAsync(TimeSpan.FromSeconds(60));

        var samples = new List<int>();
        using var stopSampling = new CancellationTokenSource();
        var sampler = SampleAcceptingAsync(socket, samples, stopSampling.Token);
        IReadOnlyList<int> fresh;
        try
        {
            int mark = server.LogMark;
            Assert.True(server.Signal(UnixSignal.Hup));
            await server.WaitForLogAsync(ReloadComplete(1), RolloutDeadline, mark);
            fresh = await server.WaitForWorkerCountAsync(Workers, RolloutDeadline, pids => !pids.Intersect(old).Any(),
                $"every worker replaced (old: {string.Join(", ", old)})");
        }
        finally
        {
            await stopSampling.CancelAsync();
            await sampler;
            await File.WriteAllTextAsync(stopFile, "");
        }
        var load = await python.LoadResultAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"[test] Python clients: {load}");
        output.WriteLine($"[test] {samples.Count} samples of accepting workers, min {samples.DefaultIfEmpty().Min()}: {string.Join(' ', samples)}");

        Assert.True(samples.Count >= 10, $"only {samples.Count} samples during the rollout");
        Assert.All(samples, n => Assert.True(n >= Workers, $"{n} workers accepted at one moment{Environment.NewLine}{server.Log.Tail()}"));
        // One old worker retired per new one that accepts: four steps, not one swap.
        Assert.Equal(Workers, server.Log.Snapshot().Count(line => line.Contains("new workers accept; old worker", StringComparison.Ordinal)));
        Assert.Empty(fresh.Intersect(old));
        ServerAssert.NoFailedCalls(load, "the Python persistent clients");
        Assert.Equal(Clients, load.Connects); // each client kept its one connection: none was closed under it
        ServerAssert.EveryReadCallAnswered(server);
    }

    [Fact]
    public async Task RollingHup_WhoseSecondNewWorkerFailsToBoot_StopsWithThreeOldAndOneNewServing_AndTheNextHupCompletesIt()
    {
        using var dir = new TestDirectory("rolling-broken");
        string socket = dir.File("ctl.sock");
        string stopFile = dir.File("stop");
        string budget = dir.File("boot-budget");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, Workers,
            ["--reload-strategy", "rolling", "--graceful-timeout", "20", "--control-socket", socket], output,
            new Dictionary<string, string?> { [TestServiceHandler.BootBudgetFileVariable] = budget });
        var old = server.WorkerPids();
        await using var python = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Tcp(port), .. PythonClient.Load(Clients, durationSeconds: 250, PauseMs), "--stop-file", stopFile]);
        await python.WaitForReadyAsync(TimeSpan.FromSeconds(60));

        try
        {
            // The master's check at the HUP and the first new worker may create their handlers; the second new worker cannot.
            await File.WriteAllTextAsync(budget, "2");
            int mark = server.LogMark;
            Assert.True(server.Signal(UnixSignal.Hup));
            var stopped = await server.WaitForLogAsync(RolloutStopped(1), RolloutDeadline, mark);
            output.WriteLine($"[test] {stopped.Value}");
            Assert.Contains("refusing to start: the boot budget", stopped.Value, StringComparison.Ordinal);
            int failed = int.Parse(stopped.Groups["pid"].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains(failed, server.BootingPids());
            Assert.DoesNotContain(failed, server.BootedPids());

            // 3 old + 1 new accept, and stay so: nothing respawned or retired behind the stopped rollout.
            var workers = await AcceptingWorkersAsync(socket);
            Assert.Equal(4, workers.Count);
            Assert.Equal(3, workers.Count(w => old.Contains(w.Pid)));
            var newOne = Assert.Single(workers, w => !old.Contains(w.Pid));
            Assert.Equal(1, newOne.Generation);
            var status = await ControlCli.AskAsync(socket, """{"command":"status"}""");
            Assert.Equal(0, status.GetProperty("status").GetProperty("generation").GetInt32());
            using (var client = await ThriftClients.TestServiceAsync(port))
                Assert.Equal(3, await client.add(1, 2));
            Assert.Equal(Workers + 2, server.BootingPids().Count); // the failed worker was not started again


            // The next HUP, the app mended, starts over and replaces the 3 old and the stranded new worker.
            File.Delete(budget);
            mark = server.LogMark;
            Assert.True(server.Signal(UnixSignal.Hup));
            await server.WaitForLogAsync(ReloadComplete(2), RolloutDeadline, mark);
            var fresh = await server.WaitForWorkerCountAsync(Workers, RolloutDeadline,
                pids => !pids.Intersect(old).Any() && !pids.Contains(newOne.Pid), "every worker of generation 2");
            Assert.Equal(Workers, fresh.Count);
        }
        finally
        {
            await File.WriteAllTextAsync(stopFile, "");
        }
        var load = await python.LoadResultAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"[test] Python clients: {load}");
        ServerAssert.NoFailedCalls(load, "the Python persistent clients");
        Assert.Equal(Clients, load.Connects);
        Assert.False(server.HasExited, server.Describe());
    }

    /// <summary>Asks the master every 50 ms how many workers accept (booted and not retiring), until cancelled.</summary>
    private static async Task SampleAcceptingAsync(string socket, List<int> samples, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var workers = await AcceptingWorkersAsync(socket);
            samples.Add(workers.Count);
            try
            {
                await Task.Delay(SampleEvery, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<List<(int Pid, int Generation)>> AcceptingWorkersAsync(string socket)
    {
        var reply = await ControlCli.AskAsync(socket, """{"command":"workers"}""");
        return reply.GetProperty("workers").EnumerateArray()
            .Where(w => w.GetProperty("booted").GetBoolean() && !w.GetProperty("retiring").GetBoolean())
            .Select(w => (w.GetProperty("pid").GetInt32(), w.GetProperty("generation").GetInt32()))
            .ToList();
    }

    private static Regex ReloadComplete(int generation) => new($@"Reload complete \(generation {generation}\)");

    private static Regex RolloutStopped(int generation) =>
        new($@"Rolling reload to generation {generation} stopped: new worker (?<pid>\d+) failed to boot: .*; 3 old and 1 new workers keep serving");
}
