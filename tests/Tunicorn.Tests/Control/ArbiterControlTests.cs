using Tunicorn.Control;
using Tunicorn.Interop;
using Tunicorn.Tests.Master;

namespace Tunicorn.Tests.Control;

/// <summary>The arbiter's answers to control requests: the same handlers as the signals, on the loop.</summary>
public sealed class ArbiterControlTests
{
    [Fact]
    public async Task AddAndRemove_ChangeTheTarget_AsTtinAndTtouDo_NeverBelowOne()
    {
        await using var rig = new ArbiterRig(workers: 2);
        await rig.StartAsync();

        Assert.True(rig.Arbiter.AnswerControl(new ControlRequest { Command = "add", Count = 2 }, 1).Ok);
        rig.Pass();
        Assert.Equal(4, rig.Arbiter.TargetWorkers);
        Assert.Equal(4, rig.Processes.Spawned.Count);

        var reply = rig.Arbiter.AnswerControl(new ControlRequest { Command = "remove", Count = 10 }, 1);
        Assert.Equal("target is now 1 workers (never fewer than 1)", reply.Message);
        Assert.Equal(1, rig.Arbiter.TargetWorkers);
    }

    [Fact]
    public async Task Kill_RetiresThatWorkerWithTerm_AndAnUnknownPidIsAnError()
    {
        await using var rig = new ArbiterRig(workers: 2);
        await rig.StartAsync();
        var worker = rig.Processes.Spawned[0];

        Assert.True(rig.Arbiter.AnswerControl(new ControlRequest { Command = "kill", Pid = worker.Pid }, 1).Ok);
        Assert.Equal([Signals.SIGTERM], rig.Processes.SignalsSentTo(worker));
        rig.Pass();
        Assert.Equal(3, rig.Processes.Spawned.Count); // its replacement

        var unknown = rig.Arbiter.AnswerControl(new ControlRequest { Command = "kill", Pid = 1 }, 1);
        Assert.False(unknown.Ok);
        Assert.Equal("no worker with pid 1 (see tunicorn ctl workers)", unknown.Error);
    }

    [Fact]
    public async Task Reload_StartsANewGeneration_AndASecondOneIsRefusedWhileItRuns()
    {
        await using var rig = new ArbiterRig(workers: 1);
        await rig.StartAsync();

        var first = rig.Arbiter.AnswerControl(new ControlRequest { Command = "reload" }, 1);
        Assert.Equal("reloading: generation 1 is starting 1 workers", first.Message);
        var second = rig.Arbiter.AnswerControl(new ControlRequest { Command = "reload" }, 1);
        Assert.False(second.Ok);
        Assert.Equal("a reload to generation 1 is already in progress", second.Error);
    }

    [Fact]
    public async Task StatusAndWorkers_DescribeWhatTheLoopHolds()
    {
        await using var rig = new ArbiterRig(workers: 2);
        await rig.StartAsync();
        rig.Processes.Spawned[0].Heartbeat(oldestCallMs: 1500, method: "add");
        rig.Pass();

        var status = rig.Arbiter.AnswerControl(new ControlRequest { Command = "status" }, 1).Status!;
        Assert.Equal(Environment.ProcessId, status.Pid);
        Assert.Equal(2, status.Workers);
        Assert.Equal(0, status.Generation);
        Assert.Single(status.Listeners);

        var workers = rig.Arbiter.AnswerControl(new ControlRequest { Command = "workers" }, 1).Workers!;
        Assert.Equal(rig.Processes.Spawned.Select(w => w.Pid), workers.Select(w => w.Pid));
        Assert.All(workers, w => Assert.True(w.Booted));
        Assert.Equal("add", workers[0].OldestCallMethod);
        Assert.Equal(1.5, workers[0].OldestCallSeconds);
    }
}
