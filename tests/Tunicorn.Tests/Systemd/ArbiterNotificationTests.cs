using Tunicorn.Interop;
using Tunicorn.Master;
using Tunicorn.Tests.Master;
using Tunicorn.WorkerContract;

namespace Tunicorn.Tests.Systemd;

/// <summary>What the arbiter tells systemd (sd_notify), driven with fake workers and a fake clock.</summary>
public sealed class ArbiterNotificationTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Ready_IsSentOnce_WhenEveryWorkerHasBooted_WithTheMastersPid()
    {
        var notifier = new RecordingNotifier();
        await using var rig = new ArbiterRig(workers: 2, notifier: notifier);
        await rig.StartAsync(boot: false);
        rig.Processes.Spawned[0].Boot();
        rig.Pass();
        Assert.Empty(notifier.Messages); // one of two accepts: systemd's start job still waits

        rig.Processes.Spawned[1].Boot();
        rig.Pass();
        rig.Advance(Second);

        Assert.Equal([$"READY=1\nMAINPID={Environment.ProcessId}\nSTATUS=2 workers, generation 0"], notifier.Messages);
    }

    [Fact]
    public async Task Status_FollowsTheNumberOfServingWorkers()
    {
        var notifier = new RecordingNotifier();
        await using var rig = new ArbiterRig(workers: 2, notifier: notifier);
        await rig.StartAsync();

        rig.Processes.Spawned[0].Exit(1);
        rig.Advance(Second);
        rig.Advance(Second);
        Assert.Equal("STATUS=1 worker, generation 0", notifier.Messages[^1]);

        rig.Processes.Spawned[^1].Boot();
        rig.Pass();
        Assert.Equal("STATUS=2 workers, generation 0", notifier.Messages[^1]);
        Assert.Equal(3, notifier.Messages.Count);
    }

    [Fact]
    public async Task Hup_SendsReloadingWithTheMonotonicClock_ThenReadyOnceTheNewGenerationServes()
    {
        var notifier = new RecordingNotifier();
        await using var rig = new ArbiterRig(workers: 2, notifier: notifier);
        await rig.StartAsync();

        long before = MonotonicClock.NowMicroseconds();
        rig.Processes.Raise(Signals.SIGHUP);
        rig.Pass();
        long after = MonotonicClock.NowMicroseconds();
        var reloading = Assert.Single(notifier.Starting("RELOADING=1"));
        long stamp = long.Parse(reloading.Split('\n')[1]["MONOTONIC_USEC=".Length..]);
        Assert.InRange(stamp, before, after);
        Assert.Single(notifier.Starting("READY=1")); // the start's; the reload's comes once its workers accept

        foreach (var w in rig.WorkersOf(1))
            w.Boot();
        rig.Pass();

        Assert.Equal($"READY=1\nMAINPID={Environment.ProcessId}\nSTATUS=2 workers, generation 1", notifier.Messages[^1]);
        Assert.Equal(3, notifier.Messages.Count);
    }

    [Fact]
    public async Task ReloadGivenUp_SendsReady_WithTheReasonInStatus()
    {
        var notifier = new RecordingNotifier();
        await using var rig = new ArbiterRig(workers: 1, notifier: notifier);
        await rig.StartAsync();

        rig.Processes.Raise(Signals.SIGHUP);
        rig.Pass();
        var fresh = rig.WorkersOf(1)[0];
        fresh.Report(WorkerReport.Error("no database"));
        fresh.Exit((int)WorkerExitCode.BootError);
        rig.Pass();

        Assert.StartsWith("READY=1\n", notifier.Messages[^1]);
        Assert.Contains("STATUS=reload failed (new worker", notifier.Messages[^1]);
        Assert.Contains("generation 0 serves on", notifier.Messages[^1]);
    }

    [Fact]
    public async Task HupWhoseSettingsDoNotLoad_SendsReloadingThenReady()
    {
        var notifier = new RecordingNotifier();
        await using var rig = new ArbiterRig(workers: 1, notifier: notifier);
        await rig.StartAsync();
        rig.NextGeneration = () => throw new InvalidOperationException("settings: workers: 'x' is not a number");

        rig.Processes.Raise(Signals.SIGHUP);
        rig.Pass();

        Assert.StartsWith("RELOADING=1\n", notifier.Messages[^2]);
        Assert.Equal($"READY=1\nMAINPID={Environment.ProcessId}\nSTATUS=reload failed (settings: workers: 'x' is not a number); generation 0 serves on",
            notifier.Messages[^1]);
    }

    [Fact]
    public async Task ReloadFailingBeforeTheFirstReady_OnlySetsStatus_AndReadyWaitsForTheWorkers()
    {
        var notifier = new RecordingNotifier();
        await using var rig = new ArbiterRig(workers: 1, notifier: notifier);
        await rig.StartAsync(boot: false);
        rig.NextGeneration = () => throw new InvalidOperationException("settings: bad");

        rig.Processes.Raise(Signals.SIGHUP);
        rig.Pass();
        Assert.Empty(notifier.Starting("READY=1"));
        Assert.Equal("STATUS=reload failed (settings: bad); generation 0 serves on", notifier.Messages[^1]);

        rig.Processes.Spawned[0].Boot();
        rig.Pass();
        Assert.Equal($"READY=1\nMAINPID={Environment.ProcessId}\nSTATUS=1 worker, generation 0", notifier.Messages[^1]);
    }

    [Theory]
    [InlineData(Signals.SIGTERM, "STOPPING=1\nSTATUS=stopping gracefully (TERM)")]
    [InlineData(Signals.SIGINT, "STOPPING=1\nSTATUS=stopping quickly (INT)")]
    [InlineData(Signals.SIGQUIT, "STOPPING=1\nSTATUS=stopping quickly (QUIT)")]
    public async Task StopSignals_SendStoppingOnce(int signal, string expected)
    {
        var notifier = new RecordingNotifier();
        await using var rig = new ArbiterRig(workers: 1, notifier: notifier);
        await rig.StartAsync();

        rig.Processes.Raise(signal);
        rig.Processes.Raise(Signals.SIGTERM);
        rig.Pass();

        Assert.Equal(expected, notifier.Messages[^1]);
        Assert.Single(notifier.Starting("STOPPING=1"));
    }

    [Fact]
    public async Task AfterUsr2_TheOldMasterSaysNothingForTheService_NotEvenStoppingWhenItQuits_ButKeepsPingingTheWatchdog()
    {
        var notifier = new RecordingNotifier(watchdogInterval: TimeSpan.FromMilliseconds(500));
        await using var rig = new ArbiterRig(workers: 2, notifier: notifier, launcher: new FakeMasterLauncher());
        await rig.StartAsync();
        Assert.Single(notifier.Starting("READY=1"));
        rig.Processes.Raise(Signals.SIGUSR2);
        rig.Pass();
        int mark = notifier.Messages.Count;

        // The old workers change and the old master quits, as an upgrade goes: a STOPPING=1 now would stop the unit, and
        // systemd would kill the new master with it.
        rig.Processes.Spawned[0].Exit(1);
        rig.Pass();
        rig.Processes.Raise(Signals.SIGQUIT);
        rig.Advance(TimeSpan.FromMilliseconds(600));

        var after = notifier.Messages.Skip(mark).ToList();
        Assert.NotEmpty(after);
        Assert.All(after, m => Assert.Equal("WATCHDOG=1", m));
    }

    [Fact]
    public async Task AfterUsr2_WhenTheNewMasterExits_TheOldMasterTakesTheServiceBack_WithReadyAndItsMainPid()
    {
        var notifier = new RecordingNotifier();
        var launcher = new FakeMasterLauncher();
        await using var rig = new ArbiterRig(workers: 2, notifier: notifier, launcher: launcher);
        await rig.StartAsync();
        rig.Processes.Raise(Signals.SIGUSR2);
        rig.Pass();
        int child = Assert.Single(launcher.Started);

        launcher.Exit(child, 3);
        rig.Pass();

        Assert.Equal($"READY=1\nMAINPID={Environment.ProcessId}\nSTATUS=the new master {child} exited; this master serves on; 2 workers, generation 0",
            notifier.Messages[^1]);
        rig.Processes.Raise(Signals.SIGTERM);
        rig.Pass();
        Assert.StartsWith("STOPPING=1", notifier.Messages[^1]);
    }

    [Fact]
    public async Task Watchdog_IsPingedFromTheLoop_AtTheIntervalSystemdAskedFor()
    {
        var notifier = new RecordingNotifier(watchdogInterval: TimeSpan.FromMilliseconds(500));
        await using var rig = new ArbiterRig(workers: 1, notifier: notifier);
        await rig.StartAsync();
        Assert.Empty(notifier.Starting("WATCHDOG=1"));

        rig.Time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Empty(notifier.Starting("WATCHDOG=1")); // the timer only wakes the loop: a stuck loop sends nothing
        rig.Pass();
        Assert.Single(notifier.Starting("WATCHDOG=1"));

        rig.Advance(TimeSpan.FromMilliseconds(500));
        rig.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(3, notifier.Starting("WATCHDOG=1").Count);
    }

    [Fact]
    public async Task WithoutANotifier_TheArbiterRunsAsBefore()
    {
        await using var rig = new ArbiterRig(workers: 1);
        await rig.StartAsync();
        rig.Processes.Raise(Signals.SIGHUP);
        rig.Pass();
        Assert.NotNull(rig.Arbiter.Reloads.Pending);
    }
}
