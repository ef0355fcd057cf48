using Tunicorn.Config;
using Tunicorn.Hooks;
using Tunicorn.Interop;
using Tunicorn.Master;
using Tunicorn.Worker;
using Tunicorn.WorkerContract;

namespace Tunicorn.Tests.Master;

/// <summary>reload_strategy rolling: max_surge new workers at a time, an old one retired as each accepts, stopped by a failed boot.</summary>
public sealed class RollingReloadTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static ServerGeneration Rolling(int workers, int surge) =>
        new(new Settings { Bind = ["127.0.0.1:0"], Workers = workers, GracefulTimeout = 5, ReloadStrategy = ReloadStrategy.Rolling, MaxSurge = surge },
            new NoHooks());

    /// <summary>
    /// A rolling HUP of 2 workers whose first new worker boots and whose second fails to boot: the rollout stops, and
    /// the new worker that booted keeps serving beside an old one. Returns that new worker.
    /// </summary>
    private static FakeWorker StrandOneNewWorker(ArbiterRig rig)
    {
        rig.NextGeneration = () => Rolling(2, surge: 1);
        rig.Processes.Raise(Signals.SIGHUP);
        rig.Pass();
        var stranded = rig.WorkersOf(1)[0];
        stranded.Boot();
        rig.Pass();
        var failing = rig.WorkersOf(1)[1];
        failing.Report(WorkerReport.Error("no database"));
        failing.Exit((int)WorkerExitCode.BootError);
        rig.Pass();
        Assert.Null(rig.Arbiter.Reloads.Pending);
        return stranded;
    }

    /// <summary>Workers that accept now: booted, not retiring, not exited.</summary>
    private static int Accepting(ArbiterRig rig) => rig.Arbiter.Workers.Values.Count(w => w.Booted && !w.Retiring && !w.Exited);

    [Fact]
    public async Task RollingHup_ReplacesOneWorkerAtATime_NeverFewerThanTheTargetAccepting_ThenCommits()
    {
        await using var rig = new ArbiterRig(workers: 4);
        await rig.StartAsync();
        var old = rig.WorkersOf(0);
        rig.NextGeneration = () => Rolling(4, surge: 1);

        rig.Processes.Raise(Signals.SIGHUP);
        rig.Pass();
        for (int step = 1; step <= 4; step++)
        {
            var fresh = rig.WorkersOf(1);
            Assert.Equal(step, fresh.Count); // one new worker at a time
            Assert.Equal(4 - step + 1, old.Count(w => rig.Processes.SignalsSentTo(w).Count == 0)); // its old one waits for it
            Assert.Equal(4, Accepting(rig));
            fresh[^1].Boot();
            rig.Pass();
            rig.Pass(); // the retired worker's exit reaped
            Assert.Equal(4, Accepting(rig));
            Assert.Equal(4 - step, old.Count(w => rig.Processes.SignalsSentTo(w).Count == 0));
        }

        Assert.Equal(4, rig.WorkersOf(1).Count);
        Assert.Equal(1, rig.Arbiter.Reloads.Serving);
        Assert.Null(rig.Arbiter.Reloads.Pending);
        Assert.All(old, w => Assert.Equal([Signals.SIGTERM], rig.Processes.SignalsSentTo(w)));
        Assert.All(rig.WorkersOf(1), w => Assert.Empty(rig.Processes.SignalsSentTo(w)));
        Assert.True(rig.Log.Contains($"Rolling reload (generation 1): 1 of 4 new workers accept; old worker {old[0].Pid} retires gracefully"), rig.Log.Dump());
        Assert.True(rig.Log.Contains("Reload complete (generation 1)"), rig.Log.Dump());

        for (int i = 0; i < 3; i++)
            rig.Advance(Second);
        Assert.Equal(8, rig.Processes.Spawned.Count); // nothing more started once it committed
    }

    [Fact]
    public async Task RollingHup_WithMaxSurgeTwo_StartsTwoNewWorkersAtATime()
    {
        await using var rig = new ArbiterRig(workers: 4);
        await rig.StartAsync();
        rig.NextGeneration = () => Rolling(4, surge: 2);

        rig.Processes.Raise(Signals.SIGHUP);
        rig.Pass();
        Assert.Equal(2, rig.WorkersOf(1).Count);
        rig.WorkersOf(1)[0].Boot();
        rig.Pass();
        Assert.Equal(2, rig.WorkersOf(1).Count); // the step waits for both
        rig.WorkersOf(1)[1].Boot();
        rig.Pass();
        Assert.Equal(4, rig.WorkersOf(1).Count);
        Assert.Equal(2, rig.WorkersOf(0).Count(w => rig.Processes.SignalsSentTo(w).Count == 1));
        foreach (var w in rig.WorkersOf(1).Skip(2))
            w.Boot();
        rig.Pass();
        Assert.Equal(1, rig.Arbiter.Reloads.Serving);
        Assert.All(rig.WorkersOf(0), w => Assert.Equal([Signals.SIGTERM], rig.Processes.SignalsSentTo(w)));
    }

    [Fact]
    public async Task NewWorkerFailingAtTheSecondStep_StopsTheRollout_ThreeOldAndOneNewServe_AndTheNextHupCompletesIt()
    {
        await using var rig = new ArbiterRig(workers: 4);
        await rig.StartAsync();
        var old = rig.WorkersOf(0);
        rig.NextGeneration = () => Rolling(4, surge: 1);

        rig.Processes.Raise(Signals.SIGHUP);
        rig.Pass();
        var first = Assert.Single(rig.WorkersOf(1));
        first.Boot();
        rig.Pass();
        var second = rig.WorkersOf(1)[1];
        second.Report(WorkerReport.Error("handler constructor threw: no database"));
        second.Exit((int)WorkerExitCode.BootError);
        rig.Pass();

        Assert.True(rig.Log.Contains($"Rolling reload to generation 1 stopped: new worker {second.Pid} failed to boot: handler constructor threw: no database; "
            + "3 old and 1 new workers keep serving"), rig.Log.Dump());
        Assert.Null(rig.Arbiter.Reloads.Pending);
        Assert.Equal(0, rig.Arbiter.Reloads.Serving);
        for (int i = 0; i < 5; i++)
            rig.Advance(Second);
        Assert.Equal(6, rig.Processes.Spawned.Count); // nothing respawned: 3 old + 1 new make the 4
        Assert.Empty(rig.Processes.SignalsSentTo(first));
        Assert.Equal(3, old.Count(w => rig.Processes.SignalsSentTo(w).Count == 0));
        Assert.Equal(4, Accepting(rig));

        // The next HUP starts over: the stranded new worker is one of the old ones now.
        rig.Processes.Raise(Signals.SIGHUP);
        rig.Pass();
        for (int step = 0; step < 4; step++)
        {
            Assert.Equal(4, Accepting(rig));
            rig.WorkersOf(2)[^1].Boot();
            rig.Pass();
            rig.Pass();
        }
        Assert.Equal(2, rig.Arbiter.Reloads.Serving);
        Assert.Equal(4, Accepting(rig));
        Assert.Equal([Signals.SIGTERM], rig.Processes.SignalsSentTo(first));
        Assert.All(old, w => Assert.Equal([Signals.SIGTERM], rig.Processes.SignalsSentTo(w)));
    }

    [Fact]
    public async Task StrandedNewWorkerAskingToBeReplaced_IsReplacedSpawnFirst_ByTheServingGeneration()
    {
        await using var rig = new ArbiterRig(workers: 2);
        await rig.StartAsync();
        var stranded = StrandOneNewWorker(rig);
        int spawned = rig.Processes.Spawned.Count;

        stranded.Report(WorkerReport.Retire("max_requests reached"));
        rig.Pass();
        var replacement = rig.Processes.Spawned[spawned]; // started first, in the serving generation
        Assert.Equal(0, replacement.Launch.Generation);
        Assert.Empty(rig.Processes.SignalsSentTo(stranded));
        replacement.Boot();
        rig.Pass();
        Assert.Equal([Signals.SIGTERM], rig.Processes.SignalsSentTo(stranded));
        rig.Pass();
        Assert.Equal(2, Accepting(rig));
        Assert.Equal(spawned + 1, rig.Processes.Spawned.Count);
    }

    [Fact]
    public async Task StrandedNewWorker_PastMaxWorkerLifetime_IsReplacedSpawnFirst_LikeTheServingOnes()
    {
        var serving = new ServerGeneration(new Settings { Bind = ["127.0.0.1:0"], Workers = 2, Timeout = 0, GracefulTimeout = 5, MaxWorkerLifetime = 600 },
            new NoHooks());
        await using var rig = new ArbiterRig(initial: serving);
        await rig.StartAsync();
        var stranded = StrandOneNewWorker(rig);
        var oldOne = rig.WorkersOf(0).Single(w => rig.Processes.SignalsSentTo(w).Count == 0);
        int spawned = rig.Processes.Spawned.Count;

        // Past 600 s and its jitter (at most 10 %): the serving worker and the stranded one are both replaced, each by a
        // worker of the serving generation that starts first.
        rig.Advance(TimeSpan.FromSeconds(661));
        Assert.Equal(spawned + 2, rig.Processes.Spawned.Count);
        Assert.All(rig.Processes.Spawned.Skip(spawned), w => Assert.Equal(0, w.Launch.Generation));
        Assert.Empty(rig.Processes.SignalsSentTo(stranded));
        foreach (var replacement in rig.Processes.Spawned.Skip(spawned))
            replacement.Boot();
        rig.Pass();
        rig.Pass();
        Assert.Equal([Signals.SIGTERM], rig.Processes.SignalsSentTo(stranded));
        Assert.Equal([Signals.SIGTERM], rig.Processes.SignalsSentTo(oldOne));
        Assert.True(rig.Log.Contains($"Replacing worker (pid: {stranded.Pid}): it has run 6"), rig.Log.Dump());
    }

    [Fact]
    public async Task RolloutStepThatDoesNotBootInTime_StopsTheRollout_TheAllowanceCountingFromTheStep()
    {
        await using var rig = new ArbiterRig(workers: 2, timeout: 0);
        await rig.StartAsync();
        rig.NextGeneration = () => Rolling(2, surge: 1);

        rig.Processes.Raise(Signals.SIGHUP);
        rig.Pass();
        rig.Advance(Arbiter.BootAllowance - Second);
        rig.WorkersOf(1)[0].Boot();
        rig.Pass();
        rig.Advance(Arbiter.BootAllowance); // the second step has its own allowance
        Assert.NotNull(rig.Arbiter.Reloads.Pending);

        rig.Advance(Second);
        Assert.Null(rig.Arbiter.Reloads.Pending);
        Assert.True(rig.Log.Contains("Rolling reload to generation 1 stopped: the new workers did not boot within 30s; 1 old and 1 new workers keep serving"),
            rig.Log.Dump());
        Assert.Equal([Signals.SIGTERM], rig.Processes.SignalsSentTo(rig.WorkersOf(1)[1]));
        Assert.Empty(rig.Processes.SignalsSentTo(rig.WorkersOf(1)[0]));
    }
}
