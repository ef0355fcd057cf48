using Tunicorn.Interop;
using Tunicorn.Master;
using Tunicorn.Worker;
using Tunicorn.WorkerContract;

namespace Tunicorn.Tests.Master;

/// <summary>The arbiter's decisions (murder, halt, reload, worker count), driven with fake processes and a fake clock.</summary>
public sealed class ArbiterTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task SilentWorker_GetsSigabrtPastTheTimeout_ThenSigkillAfterTheGrace_AndIsReplaced()
    {
        await using var rig = new ArbiterRig(workers: 1, timeout: 10);
        await rig.StartAsync();
        var worker = Assert.Single(rig.Processes.Spawned);

        rig.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(rig.Processes.SignalsSentTo(worker)); // silent for exactly the timeout: not yet

        rig.Advance(Second);
        Assert.Equal([Signals.SIGABRT], rig.Processes.SignalsSentTo(worker));
        Assert.True(rig.Log.Contains($"WORKER TIMEOUT (pid:{worker.Pid}): no heartbeat for 11.0s (timeout 10s); sending SIGABRT"), rig.Log.Dump());

        rig.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal([Signals.SIGABRT], rig.Processes.SignalsSentTo(worker)); // the grace is one pass interval

        rig.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal([Signals.SIGABRT, Signals.SIGKILL], rig.Processes.SignalsSentTo(worker));
        Assert.True(rig.Log.Contains($"Worker (pid:{worker.Pid}) still alive after SIGABRT; sending SIGKILL"), rig.Log.Dump());

        rig.Pass(); // its exit (SIGKILL) reaped
        Assert.True(rig.Log.Contains($"Worker (pid: {worker.Pid}) was killed by the master (SIGKILL): it was still alive 1s after SIGABRT"), rig.Log.Dump());
        Assert.True(worker.Disposed);
        Assert.Equal(2, rig.Processes.Spawned.Count);
        Assert.DoesNotContain(worker.Pid, rig.Arbiter.Workers.Keys);
    }

    [Fact]
    public async Task WorkerThatKeepsBeating_IsNeverSignalled()
    {
        await using var rig = new ArbiterRig(workers: 1, timeout: 10);
        await rig.StartAsync();
        var worker = Assert.Single(rig.Processes.Spawned);

        for (int i = 0; i < 60; i++)
        {
            worker.Heartbeat();
            rig.Advance(TimeSpan.FromSeconds(2));
        }

        Assert.Empty(rig.Processes.Sent);
        Assert.Single(rig.Processes.Spawned);
    }

    [Fact]
    public async Task Heartbeat_IsTakenInByThePass_NotByTheReader()
    {
        await using var rig = new ArbiterRig(workers: 1, timeout: 10);
        await rig.StartAsync();
        var worker = Assert.Single(rig.Processes.Spawned);
        var seen = rig.Arbiter.Workers[worker.Pid];
        long booted = seen.LastSeen;

        rig.Time.Advance(TimeSpan.FromSeconds(2));
        worker.Heartbeat(oldestCallMs: 250, method: "add");
        Assert.Null(seen.Heartbeat);
        Assert.Equal(booted, seen.LastSeen);

        rig.Pass();
        var heartbeat = Assert.NotNull(seen.Heartbeat);
        Assert.Equal(250, heartbeat.OldestCallMs);
        Assert.Equal("add", heartbeat.OldestCallMethod);
        Assert.Equal(rig.Time.GetTimestamp(), seen.LastSeen);
    }

    [Fact]
    public async Task CallRunningPastTheTimeout_IsNamedInTheLog_WithItsMethodAndAge()
    {
        await using var rig = new ArbiterRig(workers: 1, timeout: 10);
        await rig.StartAsync();
        var worker = Assert.Single(rig.Processes.Spawned);

        worker.Heartbeat(oldestCallMs: 9_500, method: "calculate");
        rig.Advance(TimeSpan.FromMilliseconds(400)); // 9.9 s old: within the timeout
        Assert.Empty(rig.Processes.Sent);

        worker.Heartbeat(oldestCallMs: 9_900, method: "calculate");
        rig.Advance(TimeSpan.FromMilliseconds(1_600)); // 11.5 s old, while the worker beats on

        Assert.Equal([Signals.SIGABRT], rig.Processes.SignalsSentTo(worker));
        Assert.True(rig.Log.Contains($"WORKER TIMEOUT (pid:{worker.Pid}): call 'calculate' running for 11.5s (timeout 10s); sending SIGABRT"),
            rig.Log.Dump());
    }

    [Fact]
    public async Task WorkerThatDoesNotBoot_HasTheBootAllowance_EvenWithAShorterTimeout()
    {
        await using var rig = new ArbiterRig(workers: 1, timeout: 2);
        await rig.StartAsync(boot: false);
        var worker = Assert.Single(rig.Processes.Spawned);

        rig.Advance(Arbiter.BootAllowance);
        Assert.Empty(rig.Processes.Sent);

        rig.Advance(Second);
        Assert.Equal([Signals.SIGABRT], rig.Processes.SignalsSentTo(worker));
        Assert.True(rig.Log.Contains($"WORKER TIMEOUT (pid:{worker.Pid}): did not boot within 30s (timeout 2s)"), rig.Log.Dump());
    }

    [Theory]
    [InlineData((int)WorkerExitCode.BootError)]
    [InlineData((int)WorkerExitCode.AppLoadError)]
    public async Task BootErrorBeforeTheFirstBoot_HaltsTheMaster_WithTheWorkersExitCode(int code)
    {
        var rig = new ArbiterRig(workers: 2);
        rig.Processes.OnSpawn = worker =>
        {
            worker.Report(WorkerReport.Error("cannot load Calculator.dll: no such file"));
            worker.Exit(code);
        };

        int exitCode = await rig.Arbiter.RunAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(code, exitCode);
        var first = rig.Processes.Spawned[0];
        Assert.True(rig.Log.Contains($"Shutting down: Master. Reason: Worker (pid: {first.Pid}) failed to boot: cannot load Calculator.dll: no such file"),
            rig.Log.Dump());
        Assert.False(rig.Processes.SignalsTrapped);
        Assert.All(rig.Processes.Spawned, w => Assert.True(w.HasExited));
    }

    [Fact]
    public async Task BootErrorAfterAWorkerHasBooted_DelaysTheRespawn_InsteadOfHalting()
    {
        await using var rig = new ArbiterRig(workers: 1);
        await rig.StartAsync();
        var booted = Assert.Single(rig.Processes.Spawned);
        rig.Processes.OnSpawn = worker => worker.Exit((int)WorkerExitCode.BootError);

        booted.Exit(1);
        rig.Pass(); // reaped; its replacement fails to boot
        rig.Pass(); // that one reaped: pause before the next
        Assert.Equal(2, rig.Processes.Spawned.Count);
        Assert.True(rig.Log.Contains("Workers keep failing to boot; next attempt in 1s"), rig.Log.Dump());

        rig.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(2, rig.Processes.Spawned.Count);
        rig.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(3, rig.Processes.Spawned.Count);
    }

    [Fact]
    public async Task Hup_WhoseWorkersBoot_CommitsTheNewGeneration_AndRetiresTheOldOne()
    {
        await using var rig = new ArbiterRig(workers: 2);
        await rig.StartAsync();
        var old = rig.WorkersOf(0);

        rig.Processes.Raise(Signals.SIGHUP);
        rig.Pass();
        var fresh = rig.WorkersOf(1);
        Assert.Equal(2, fresh.Count);
        Assert.Empty(rig.Processes.Sent); // the old ones serve until the new ones accept

        foreach (var w in fresh)
            w.Boot();
        rig.Pass();

        Assert.Equal(1, rig.Arbiter.Reloads.Serving);
        Assert.Null(rig.Arbiter.Reloads.Pending);
        Assert.All(old, w => Assert.Equal([Signals.SIGTERM], rig.Processes.SignalsSentTo(w)));
        Assert.All(fresh, w => Assert.Empty(rig.Processes.SignalsSentTo(w)));
        Assert.True(rig.Log.Contains("Reload complete (generation 1)"), rig.Log.Dump());
    }

    [Fact]
    public async Task NewWorkerFailingDuringAReload_AbandonsIt_AndTheOldGenerationKeepsServing()
    {
        await using var rig = new ArbiterRig(workers: 2);
        await rig.StartAsync();
        var old = rig.WorkersOf(0);

        rig.Processes.Raise(Signals.SIGHUP);
        rig.Pass();
        var fresh = rig.WorkersOf(1);
        Assert.Equal(2, fresh.Count);
        fresh[0].Report(WorkerReport.Error("handler constructor threw: no database"));
        fresh[0].Exit((int)WorkerExitCode.BootError);
        rig.Pass();

        Assert.True(rig.Log.Contains($"Reload failed, the 2 current workers keep serving: new worker {fresh[0].Pid} failed to boot: handler constructor threw: no database"),
            rig.Log.Dump());
        Assert.Null(rig.Arbiter.Reloads.Pending);
        Assert.Equal(0, rig.Arbiter.Reloads.Serving);
        Assert.Equal([Signals.SIGTERM], rig.Processes.SignalsSentTo(fresh[1])); // the rest of the new generation goes

        for (int i = 0; i < 5; i++)
            rig.Advance(Second);
        Assert.All(old, w => Assert.Empty(rig.Processes.SignalsSentTo(w)));
        Assert.All(old, w => Assert.Contains(w.Pid, rig.Arbiter.Workers.Keys));
        Assert.Equal(4, rig.Processes.Spawned.Count); // nothing respawned for the abandoned generation
        Assert.Equal(2, rig.Arbiter.TargetWorkers);

        // The next HUP takes the next number: the abandoned generation's stragglers are never counted as its workers.
        rig.Processes.Raise(Signals.SIGHUP);
        rig.Pass();
        Assert.Equal(2, rig.WorkersOf(2).Count);
    }

    [Fact]
    public async Task ReloadWhoseWorkersNeverBoot_IsAbandonedAfterTheBootAllowance()
    {
        await using var rig = new ArbiterRig(workers: 1, timeout: 0);
        await rig.StartAsync();

        rig.Processes.Raise(Signals.SIGHUP);
        rig.Pass();
        rig.Advance(Arbiter.BootAllowance);
        Assert.NotNull(rig.Arbiter.Reloads.Pending);

        rig.Advance(Second);
        Assert.Null(rig.Arbiter.Reloads.Pending);
        Assert.True(rig.Log.Contains("Reload failed, the 1 current workers keep serving: the new workers did not boot within 30s"), rig.Log.Dump());
        Assert.Empty(rig.Processes.SignalsSentTo(rig.WorkersOf(0)[0]));
    }

    [Fact]
    public async Task Ttou_NeverTakesTheWorkerCountBelowOne()
    {
        await using var rig = new ArbiterRig(workers: 2);
        await rig.StartAsync();
        var (oldest, youngest) = (rig.Processes.Spawned[0], rig.Processes.Spawned[1]);

        for (int i = 0; i < 4; i++)
            rig.Processes.Raise(Signals.SIGTTOU);
        rig.Pass();
        rig.Pass();

        Assert.Equal(1, rig.Arbiter.TargetWorkers);
        Assert.Equal([Signals.SIGTERM], rig.Processes.SignalsSentTo(oldest)); // the oldest first, as gunicorn
        Assert.Empty(rig.Processes.SignalsSentTo(youngest));
        Assert.Equal(new[] { youngest.Pid }, rig.Arbiter.Workers.Keys);

        rig.Processes.Raise(Signals.SIGTTOU);
        rig.Pass();
        Assert.Equal(1, rig.Arbiter.TargetWorkers);
        Assert.Empty(rig.Processes.SignalsSentTo(youngest));

        rig.Processes.Raise(Signals.SIGTTIN);
        rig.Pass();
        Assert.Equal(2, rig.Arbiter.TargetWorkers);
        Assert.Equal(3, rig.Processes.Spawned.Count);
    }

    [Fact]
    public async Task ReportReaderThatFails_IsLogged()
    {
        await using var rig = new ArbiterRig(workers: 1);
        await rig.StartAsync();
        var worker = Assert.Single(rig.Processes.Spawned);

        worker.FailReading(new InvalidOperationException("parser bug"));

        Assert.True(rig.Log.Contains($"Master task failed (reading the reports of worker {worker.Pid}); the master carries on | parser bug"),
            rig.Log.Dump());
    }
}
