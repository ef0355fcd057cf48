using Thrift.Transport;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>Acceptance 4: a call that blocks longer than <c>timeout</c> gets its worker killed and replaced.</summary>
public sealed class TimeoutTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("sync")]
    [InlineData("threaded")]
    [InlineData("async")]
    public async Task CallBlockingLongerThanTimeout_GetsItsWorkerKilledAndReplaced_WithTheReasonLogged(string workerClass)
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2, ["-k", workerClass, "-t", "2"], output);
        int stuck;
        int mark = server.LogMark;
        using (var client = await ThriftClients.TestServiceAsync(port))
        {
            stuck = await client.pid();
            Assert.Contains(stuck, server.WorkerPids());
            // TestService.sleep blocks its thread (Thread.Sleep) far longer than -t 2; the master must kill the worker,
            // which the client sees as its connection dropping without a reply.
            var dropped = await Assert.ThrowsAnyAsync<Exception>(() => client.sleep(15_000));
            Assert.True(dropped is TTransportException or IOException, $"expected the connection to drop, got {dropped}");
        }

        // The line for this pid: on a busy machine another worker may also be killed, for a slow boot.
        var timeout = await server.WaitForLogAsync(LogPatterns.WorkerTimeoutPid(stuck), TimeSpan.FromSeconds(10), mark);
        output.WriteLine($"[test] {timeout.Value}");
        Assert.False(string.IsNullOrWhiteSpace(timeout.Groups["reason"].Value.Trim(' ', ':', '-', ',', '.')),
            $"the WORKER TIMEOUT line gives no reason: {timeout.Value}");

        var after = await server.WaitForWorkerCountAsync(2, TunicornServer.BootTimeout, pids => !pids.Contains(stuck), $"worker {stuck} replaced");
        Assert.False(ProcessTable.IsAlive(stuck), $"worker {stuck} still runs");

        using var fresh = await ThriftClients.TestServiceAsync(port);
        Assert.Equal(3, await fresh.add(1, 2));
        Assert.Contains(await fresh.pid(), after);
    }
}
