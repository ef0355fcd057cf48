using System.Text.RegularExpressions;
using Thrift;
using Tunicorn.IntegrationTests.Harness;
using Tunicorn.TestApp;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Issue 11.5: a handler that runs out of memory must not keep its worker at the heap limit. The caller gets an error
/// reply, the master starts a new worker first and then retires the old one, whose calls in flight are answered,
/// and the log says why.
/// </summary>
public sealed class FatalFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task HandlerOutOfMemory_CallerGetsAnError_WorkerIsReplacedSpawnFirst_CallsInFlightAreAnswered()
    {
        using var dir = new TestDirectory("oom");
        string callLog = dir.File("calls.log");
        int port = FreePort.Next();
        // The heap limit for the workers only (raw_env): 160 MB, so that hoard fills it in a second.
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1,
            ["-e", "DOTNET_GCHeapHardLimit=0xA000000", "--graceful-timeout", "30"], output,
            new Dictionary<string, string?> { [TestServiceHandler.CallLogVariable] = callLog });
        int oldPid = server.WorkerPids().Single();

        // A call in flight on the same worker when its neighbour runs out of memory: it must be answered.
        var sleeper = await ThriftClients.TestServiceAsync(port, TimeSpan.FromSeconds(60));
        var hoarder = await ThriftClients.TestServiceAsync(port, TimeSpan.FromSeconds(60));
        try
        {
            var sleeping = sleeper.sleep(3000);
            await Eventually.WaitUntilAsync(
                () => File.Exists(callLog) && File.ReadAllLines(callLog).Contains($"sleep_start {oldPid} 3000"),
                TimeSpan.FromSeconds(15), "the sleep call started in the worker", server.Describe);

            var error = await Assert.ThrowsAsync<TApplicationException>(() => hoarder.hoard(100_000));
            output.WriteLine($"[test] hoard answered {error.Type}: {error.Message}");
            Assert.Equal(TApplicationException.ExceptionType.InternalError, error.Type);

            // Answered, not cut, although its worker is being replaced.
            await sleeping.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            sleeper.Dispose();
            hoarder.Dispose();
        }

        var why = await server.WaitForLogAsync(new Regex($@"Worker \(pid: {oldPid}\) must be replaced: OutOfMemoryException.*in or near call 'hoard'"),
            TimeSpan.FromSeconds(20));
        output.WriteLine($"[test] {why.Value}");
        var retired = await server.WaitForLogAsync(new Regex($@"Retiring worker \(pid: {oldPid}\): its replacement is up"), TimeSpan.FromSeconds(60));
        var newPids = await server.WaitForWorkerCountAsync(1, TimeSpan.FromSeconds(60), pids => !pids.Contains(oldPid), "the old worker gone");
        int newPid = newPids.Single();

        // Spawn-first: the replacement booted before the old worker was told to go.
        var lines = server.Log.Snapshot();
        int booted = lines.ToList().FindIndex(l => LogPatterns.WorkerBootedPid(newPid).IsMatch(l));
        int retiring = lines.ToList().FindIndex(l => l.Contains($"Retiring worker (pid: {oldPid})", StringComparison.Ordinal));
        Assert.True(booted >= 0 && booted < retiring, $"worker {newPid} booted at line {booted}, {oldPid} retired at line {retiring}");
        // The worker's last line reaches the harness through the log pipe, which may be read after the process is gone.
        await server.WaitForLogAsync(new Regex($@"Worker exiting \(pid: {oldPid}\)"), TimeSpan.FromSeconds(20));
        var exit = Assert.Single(server.WorkerExits(), e => e.Pid == oldPid);
        Assert.Contains(server.Log.Snapshot(), l => l.Contains($"Worker exiting (pid: {oldPid})", StringComparison.Ordinal)
            && l.Contains("replaced after OutOfMemoryException", StringComparison.Ordinal));
        Assert.Equal(exit.CallsRead, exit.CallsAnswered);

        // The new worker serves, with its own heap.
        var fresh = await ThriftClients.TestServiceAsync(port);
        try
        {
            Assert.Equal(newPid, await fresh.pid());
            Assert.Equal(8, await fresh.hoard(8));
        }
        finally
        {
            fresh.Dispose();
        }
        output.WriteLine($"[test] worker {oldPid} replaced by {newPid}; {retired.Value}");
    }
}
