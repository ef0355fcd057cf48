using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>Acceptance 3: TTIN adds a worker, TTOU removes one.</summary>
public sealed class WorkerCountSignalTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TtinThenTtou_ChangeTheWorkerCountToThreeThenBackToTwo()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2, output: output);
        var initial = server.WorkerPids();

        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Ttin));
        await server.WaitForLogAsync(LogPatterns.HandlingSignal(UnixSignal.Ttin), TimeSpan.FromSeconds(10), mark);
        var three = await server.WaitForWorkerCountAsync(3, TunicornServer.BootTimeout);
        Assert.Superset(initial.ToHashSet(), three.ToHashSet());

        mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Ttou));
        await server.WaitForLogAsync(LogPatterns.HandlingSignal(UnixSignal.Ttou), TimeSpan.FromSeconds(10), mark);
        var two = await server.WaitForWorkerCountAsync(2, TimeSpan.FromSeconds(15));
        Assert.Subset(three.ToHashSet(), two.ToHashSet());

        // Still serving, from the remaining workers only.
        using var client = await ThriftClients.TestServiceAsync(port);
        Assert.Equal(5, await client.add(2, 3));
        Assert.Contains(await client.pid(), two);
    }
}
