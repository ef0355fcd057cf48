using System.ComponentModel;
using System.Globalization;
using Tunicorn.Config;
using Tunicorn.Control;
using Tunicorn.Hooks;
using Tunicorn.Interop;
using Tunicorn.Master;

namespace Tunicorn.Tests.Master;

/// <summary>The arbiter's side of the binary upgrade (USR2, WINCH, HUP after WINCH, the new master's exit), with fake processes.</summary>
public sealed class BinaryUpgradeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tunicorn-upgrade-").FullName;
    private readonly CountingHooks _hooks = new();
    private readonly FakeMasterLauncher _launcher = new();

    private string PidfilePath => Path.Combine(_folder, "tunicorn.pid");

    private ArbiterRig Rig(int workers = 2, bool daemon = false) => new(initial: new ServerGeneration(
        new Settings { Bind = ["127.0.0.1:0"], Workers = workers, GracefulTimeout = 5, Pidfile = PidfilePath, Daemon = daemon }, _hooks),
        launcher: _launcher);

    private static string Pid(ArbiterRig rig) => rig.Arbiter.Pid.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Usr2_RunsPreExec_MovesThePidfileToDot2_AndStartsOneNewMasterWithTheListeners()
    {
        await using var rig = Rig();
        await rig.StartAsync();

        rig.Processes.Raise(Signals.SIGUSR2);
        rig.Pass();

        int child = Assert.Single(_launcher.Started);
        Assert.Equal(1, _hooks.PreExecCalls);
        Assert.Equal(child, rig.Arbiter.UpgradeChildPid);
        Assert.StartsWith("127.0.0.1:", Assert.Single(_launcher.LastListeners));
        Assert.False(File.Exists(PidfilePath), "the new master writes PIDFILE; the old one must have moved it");
        Assert.Equal(Pid(rig), File.ReadAllText(PidfilePath + ".2").Trim());
        Assert.True(rig.Log.Contains($"started new master (pid: {child})"), rig.Log.Dump());
        Assert.Equal(2, rig.Arbiter.TargetWorkers); // the old workers serve on until WINCH
    }

    [Fact]
    public async Task Usr2_WhileANewMasterRuns_IsLoggedAndIgnored()
    {
        await using var rig = Rig();
        await rig.StartAsync();
        rig.Processes.Raise(Signals.SIGUSR2);
        rig.Pass();

        rig.Processes.Raise(Signals.SIGUSR2);
        rig.Pass();

        int child = Assert.Single(_launcher.Started);
        Assert.Equal(1, _hooks.PreExecCalls);
        Assert.True(rig.Log.Contains($"Upgrade ignored: the new master (pid: {child}) of the previous upgrade still runs"), rig.Log.Dump());
    }

    [Fact]
    public async Task NewMasterThatExits_IsLoggedWithItsExitCode_AndThePidfileMovesBack_AndAnotherUpgradeMayStart()
    {
        await using var rig = Rig();
        await rig.StartAsync();
        rig.Processes.Raise(Signals.SIGUSR2);
        rig.Pass();
        int child = _launcher.Started[0];

        rig.Time.Advance(TimeSpan.FromSeconds(3));
        _launcher.Exit(child, 4);
        rig.Pass();

        Assert.Null(rig.Arbiter.UpgradeChildPid);
        Assert.True(rig.Log.Contains($"the new master (pid: {child}) exited after 3.0s (exit code 4: the app failed to load); this master serves on"), rig.Log.Dump());
        Assert.Equal(Pid(rig), File.ReadAllText(PidfilePath).Trim());
        Assert.False(File.Exists(PidfilePath + ".2"));

        rig.Processes.Raise(Signals.SIGUSR2);
        rig.Pass();
        Assert.Equal(2, _launcher.Started.Count);
    }

    [Fact]
    public async Task NewMasterKilledBySignal_IsNamedInTheLog()
    {
        await using var rig = Rig();
        await rig.StartAsync();
        rig.Processes.Raise(Signals.SIGUSR2);
        rig.Pass();

        _launcher.Exit(_launcher.Started[0], 128 + Signals.SIGKILL);
        rig.Pass();

        Assert.True(rig.Log.Contains("(killed by SIGKILL); this master serves on"), rig.Log.Dump());
    }

    [Fact]
    public async Task LauncherFailure_IsLoggedWithItsReason_AndThePidfileStaysWhereItWas()
    {
        await using var rig = Rig();
        await rig.StartAsync();
        _launcher.Failure = new Win32Exception(8, "Exec format error");

        rig.Processes.Raise(Signals.SIGUSR2);
        rig.Pass();

        Assert.Null(rig.Arbiter.UpgradeChildPid);
        Assert.True(rig.Log.Contains("Upgrade failed: the new master could not be started: Exec format error; this master serves on"), rig.Log.Dump());
        Assert.Equal(Pid(rig), File.ReadAllText(PidfilePath).Trim());
        Assert.False(File.Exists(PidfilePath + ".2"));
    }

    [Fact]
    public async Task Winch_WithANewMaster_StopsEveryWorkerGracefully_AndHupBringsThemBackWithoutAReload()
    {
        await using var rig = Rig(workers: 2);
        await rig.StartAsync();
        var old = rig.Processes.Spawned.ToList();
        rig.Processes.Raise(Signals.SIGUSR2);
        rig.Pass();

        rig.Processes.Raise(Signals.SIGWINCH);
        rig.Pass();
        rig.Pass(); // the fake workers exit on TERM; their exits reaped

        Assert.Equal(0, rig.Arbiter.TargetWorkers);
        Assert.All(old, w => Assert.Equal([Signals.SIGTERM], rig.Processes.SignalsSentTo(w)));
        rig.Pass();
        Assert.Equal(2, rig.Processes.Spawned.Count); // no respawn

        rig.NextGeneration = () => throw new InvalidOperationException("a HUP after WINCH must not reload");
        rig.Processes.Raise(Signals.SIGHUP);
        rig.Pass();

        Assert.Equal(2, rig.Arbiter.TargetWorkers);
        Assert.Equal(4, rig.Processes.Spawned.Count);
        Assert.Equal(0, rig.Arbiter.Reloads.Serving); // the same generation: no reload
        Assert.True(rig.Log.Contains("Starting 2 workers again, with the app this master runs (HUP)"), rig.Log.Dump());
    }

    [Fact]
    public async Task NewMasterExit_AfterWinch_BringsTheWorkersBack()
    {
        await using var rig = Rig(workers: 2);
        await rig.StartAsync();
        rig.Processes.Raise(Signals.SIGUSR2);
        rig.Pass();
        rig.Processes.Raise(Signals.SIGWINCH);
        rig.Pass();
        Assert.Equal(0, rig.Arbiter.TargetWorkers);

        _launcher.Exit(_launcher.Started[0], 1);
        rig.Pass();

        Assert.Equal(2, rig.Arbiter.TargetWorkers);
        Assert.True(rig.Log.Contains($"Starting 2 workers again, with the app this master runs (the new master {_launcher.Started[0]} is gone)"), rig.Log.Dump());
    }

    [Fact]
    public async Task Winch_WithoutAnUpgrade_InTheForeground_IsIgnored()
    {
        await using var rig = Rig(workers: 2);
        await rig.StartAsync();

        rig.Processes.Raise(Signals.SIGWINCH);
        rig.Pass();

        Assert.Equal(2, rig.Arbiter.TargetWorkers);
        Assert.True(rig.Log.Contains("SIGWINCH ignored. Not daemonized, and no upgrade in progress"), rig.Log.Dump());
    }

    [Fact]
    public async Task Winch_OfADaemonizedMaster_StopsItsWorkers_AsGunicornDoes()
    {
        await using var rig = Rig(workers: 2, daemon: true);
        await rig.StartAsync();

        rig.Processes.Raise(Signals.SIGWINCH);
        rig.Pass();

        Assert.Equal(0, rig.Arbiter.TargetWorkers);
    }

    [Fact]
    public async Task ControlUpgrade_StartsTheNewMaster_FinishStopsTheWorkers_RollbackTermsTheNewMasterAndRestoresThem()
    {
        await using var rig = Rig(workers: 2);
        await rig.StartAsync();

        var started = rig.Arbiter.AnswerControl(new ControlRequest { Command = ControlCommands.Upgrade }, clientPid: 1);
        Assert.True(started.Ok, started.Error);
        int child = _launcher.Started[0];
        Assert.Equal(child, started.Upgrade?.NewMasterPid);
        Assert.Equal(rig.Arbiter.Pid, started.Upgrade?.OldMasterPid);
        var status = rig.Arbiter.AnswerControl(new ControlRequest { Command = ControlCommands.Status }, clientPid: 1);
        Assert.Equal(child, status.Status?.NewMasterPid);
        Assert.Contains($"new master {child} runs", ControlTables.Status(status.Status!));

        var again = rig.Arbiter.AnswerControl(new ControlRequest { Command = ControlCommands.Upgrade }, clientPid: 1);
        Assert.False(again.Ok);
        Assert.Contains($"new master {child} runs", again.Error);

        var finish = rig.Arbiter.AnswerControl(new ControlRequest { Command = ControlCommands.Upgrade, Step = ControlCommands.UpgradeFinish }, clientPid: 1);
        Assert.True(finish.Ok, finish.Error);
        Assert.Equal(0, rig.Arbiter.TargetWorkers);

        var rollback = rig.Arbiter.AnswerControl(new ControlRequest { Command = ControlCommands.Upgrade, Step = ControlCommands.UpgradeRollback }, clientPid: 1);
        Assert.True(rollback.Ok, rollback.Error);
        Assert.Equal(2, rig.Arbiter.TargetWorkers);
        Assert.Contains((child, Signals.SIGTERM), rig.Processes.Sent);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class CountingHooks : ServerHooks
    {
        public int PreExecCalls { get; private set; }

        public override void PreExec(IArbiterContext arbiter) => PreExecCalls++;
    }
}
