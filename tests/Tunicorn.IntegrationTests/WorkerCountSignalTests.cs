using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>Acceptance 3: TTIN adds a worker, TTOU removes one; and the master handles its signals whatever it inherited.</summary>
public sealed class WorkerCountSignalTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TtinThenTtou_ChangeTheWorkerCountToThreeThenBackToTwo()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2, output: output);
        var initial = server.WorkerPids();

        await server.SignalAndWaitUntilHandledAsync(UnixSignal.Ttin);
        var three = await server.WaitForWorkerCountAsync(3, TunicornServer.BootTimeout);
        Assert.Superset(initial.ToHashSet(), three.ToHashSet());

        await server.SignalAndWaitUntilHandledAsync(UnixSignal.Ttou);
        var two = await server.WaitForWorkerCountAsync(2, TimeSpan.FromSeconds(15));
        Assert.Subset(three.ToHashSet(), two.ToHashSet());

        // Still serving, from the remaining workers only.
        using var client = await ThriftClients.TestServiceAsync(port);
        Assert.Equal(5, await client.add(2, 3));
        Assert.Contains(await client.pid(), two);
    }

    [Fact]
    public async Task SignalsIgnoredWhenTheMasterStarted_AsUnderNohup_AreHandledAllTheSame()
    {
        // nohup starts its command with SIGHUP ignored, and a non-interactive shell's `cmd &` with SIGINT and SIGQUIT
        // ignored; .NET would leave an ignored signal ignored, so a HUP would reload nothing.
        int port = FreePort.Next();
        await using var server = TunicornServer.StartExecutable("/bin/sh",
            ["-c", "trap '' HUP INT QUIT TERM TTIN TTOU USR1; exec /usr/bin/nohup \"$0\" \"$@\"", RepoPaths.Cli, RepoPaths.TestAppDll,
             "-b", $"127.0.0.1:{port}", "-w", "1", "--graceful-timeout", "10"], output);
        await server.WaitForReadyAsync(1);

        await server.SignalAndWaitUntilHandledAsync(UnixSignal.Usr1);
        await server.SignalAndWaitUntilHandledAsync(UnixSignal.Ttin);
        var two = await server.WaitForWorkerCountAsync(2, TunicornServer.BootTimeout);
        await server.SignalAndWaitUntilHandledAsync(UnixSignal.Hup);
        // The HUP reloaded: the settings' one worker again (as in gunicorn, a reload forgets TTIN), of the new generation.
        await server.WaitForWorkerCountAsync(1, TunicornServer.BootTimeout, pids => !pids.Intersect(two).Any(), "the new generation");

        Assert.True(server.Signal(UnixSignal.Term));
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}
