using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>Acceptance 5: HUP reloads the app and replaces the workers without failing a call, and survives a broken app.</summary>
public sealed class ReloadTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LoadDeadline = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Hup_UnderContinuousLoad_ReplacesEveryWorker_WithoutAFailedCall()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2, ["--graceful-timeout", "10"], output);
        var old = server.WorkerPids();

        await using var retrying = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Tcp(port), .. PythonClient.Load(connections: 4, durationSeconds: 7, pauseMs: 2, PythonClient.RetryOnceOnIdleClose)]);
        await using var perCall = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Tcp(port), .. PythonClient.Load(connections: 2, durationSeconds: 7, pauseMs: 5, PythonClient.ConnectionPerCall)]);
        await Task.WhenAll(retrying.WaitForReadyAsync(), perCall.WaitForReadyAsync());

        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Hup));
        await server.WaitForLogAsync(LogPatterns.HandlingSignal(UnixSignal.Hup), TimeSpan.FromSeconds(10), mark);
        var fresh = await server.WaitForWorkerCountAsync(2, TunicornServer.BootTimeout,
            pids => !pids.Intersect(old).Any(), $"every worker replaced (old: {string.Join(", ", old)})");
        // The old workers stopped gracefully, each reporting its calls.
        await Eventually.WaitUntilAsync(() => old.All(pid => server.WorkerExits().Any(e => e.Pid == pid)),
            TimeSpan.FromSeconds(15), "a 'Worker exiting' line for every old worker", server.Describe);

        var retried = await retrying.LoadResultAsync(LoadDeadline);
        var single = await perCall.LoadResultAsync(LoadDeadline);
        output.WriteLine($"[test] retrying persistent client: {retried}");
        output.WriteLine($"[test] connection-per-call client: {single}");

        ServerAssert.NoFailedCalls(retried, "the retrying persistent client");
        ServerAssert.NoFailedCalls(single, "the connection-per-call client");
        Assert.Equal(0, single.Retries);
        ServerAssert.EveryReadCallAnswered(server);
        // The load went on across the reload: the new workers answered some of it.
        Assert.True(retried.Pids.Keys.Concat(single.Pids.Keys).Intersect(fresh).Any(),
            $"no call was answered by the new workers {string.Join(", ", fresh)}");
    }

    [Fact]
    public async Task Hup_AfterTheAppWasReplacedByABrokenOne_KeepsTheOldWorkersServing_AndLogsTheError()
    {
        using var dir = new TestDirectory("broken-app");
        string app = DeployedCopy.Of(RepoPaths.TestAppDll, dir, "app");

        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(app, port, workers: 2, ["--graceful-timeout", "10"], output);
        var old = server.WorkerPids();

        await using var retrying = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Tcp(port), .. PythonClient.Load(connections: 2, durationSeconds: 5, pauseMs: 2, PythonClient.RetryOnceOnIdleClose)]);
        await using var perCall = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Tcp(port), .. PythonClient.Load(connections: 1, durationSeconds: 5, pauseMs: 5, PythonClient.ConnectionPerCall)]);
        await Task.WhenAll(retrying.WaitForReadyAsync(), perCall.WaitForReadyAsync());

        DeployedCopy.ReplaceWithGarbage(app);
        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Hup));
        await server.WaitForLogAsync(LogPatterns.HandlingSignal(UnixSignal.Hup), TimeSpan.FromSeconds(10), mark);
        // The log says what is wrong: an error line naming the app or the bad image format.
        await Eventually.WaitUntilAsync(
            () => server.Log.Snapshot(mark).Any(line => LogPatterns.ErrorLevel.IsMatch(line) && NamesTheBrokenApp(line)),
            TimeSpan.FromSeconds(20), "an error line naming the broken app", server.Describe);

        var retried = await retrying.LoadResultAsync(LoadDeadline);
        var single = await perCall.LoadResultAsync(LoadDeadline);
        output.WriteLine($"[test] retrying persistent client: {retried}");
        output.WriteLine($"[test] connection-per-call client: {single}");

        Assert.False(server.HasExited, $"the master exited after a failed reload{Environment.NewLine}{server.Describe()}");
        Assert.Equal(old.Order(), server.WorkerPids().Order());
        ServerAssert.NoFailedCalls(retried, "the retrying persistent client");
        ServerAssert.NoFailedCalls(single, "the connection-per-call client");
        Assert.All(retried.Pids.Keys.Concat(single.Pids.Keys), pid => Assert.Contains(pid, old));
        ServerAssert.EveryReadCallAnswered(server);
    }

    private static bool NamesTheBrokenApp(string line) =>
        line.Contains("TestApp", StringComparison.OrdinalIgnoreCase)
        || line.Contains("BadImageFormat", StringComparison.OrdinalIgnoreCase)
        || line.Contains("format", StringComparison.OrdinalIgnoreCase);
}
