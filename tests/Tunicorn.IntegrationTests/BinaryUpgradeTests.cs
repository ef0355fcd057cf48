using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Issue 14 item 4: the binary upgrade (USR2, WINCH, QUIT; the rollback by HUP and TERM; <c>tunicorn ctl upgrade</c>) on real
/// masters and workers, under load from a Python client that opens a connection for every call.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // /proc and Unix sockets
public sealed class BinaryUpgradeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LoadDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Usr2_ThenWinchAndQuitOfTheOldMaster_UnderConnectionPerCallLoad_TheNewMasterServesOnTheSameSocket_WithoutAFailedCall()
    {
        using var dir = new TestDirectory("upgrade");
        string pidfile = dir.File("tunicorn.pid");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2,
            ["--graceful-timeout", "10", "-p", pidfile], output, RuntimeFolder(dir));
        var oldWorkers = server.WorkerPids();
        long inode = ListenerInode(port);
        Assert.Contains(inode, SocketInodesOf(server.MasterPid));

        string stop = dir.File("stop-load");
        await using var load = await StartLoadAsync(port, stop);

        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Usr2));
        await using var upgraded = await UpgradedMaster.FoundAsync(server, mark, StepTimeout);
        var newWorkers = await upgraded.WaitForWorkersAsync(2, StepTimeout);
        Assert.NotEqual(server.MasterPid, upgraded.Pid);
        // The new master serves the very socket the old one bound: the same inode, held by both, and no second listener.
        Assert.Equal(inode, ListenerInode(port));
        Assert.Contains(inode, SocketInodesOf(upgraded.Pid));
        Assert.Equal(upgraded.Pid.ToString(CultureInfo.InvariantCulture), (await File.ReadAllTextAsync(pidfile)).Trim());
        Assert.Equal(server.MasterPid.ToString(CultureInfo.InvariantCulture), (await File.ReadAllTextAsync(pidfile + ".2")).Trim());
        var oldStatus = await ControlCli.AskAsync(await SocketOfAsync(server.MasterPid, dir, server), """{"command":"status"}""");
        Assert.Equal(upgraded.Pid, oldStatus.GetProperty("status").GetProperty("new_master_pid").GetInt32());

        // One upgrade at a time: a second USR2 is logged and ignored.
        mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Usr2));
        await server.WaitForLogAsync(new($@"Upgrade ignored: the new master \(pid: {upgraded.Pid}\)"), StepTimeout, mark);

        // WINCH: the old workers stop gracefully, the old master stays.
        Assert.True(server.Signal(UnixSignal.Winch));
        await Eventually.WaitUntilAsync(() => ProcessTable.ChildrenOf(server.MasterPid).Select(c => c.Pid).SequenceEqual([upgraded.Pid]),
            StepTimeout, "the old master's only child is the new master", server.Describe);
        Assert.False(server.HasExited);
        await WaitForExitLinesAsync(server, oldWorkers);

        // QUIT: the old master goes; the new one serves on.
        Assert.True(server.Signal(UnixSignal.Quit));
        Assert.Equal(0, await server.WaitForExitAsync(StepTimeout));
        Assert.True(upgraded.IsAlive);
        Assert.Equal(newWorkers.Order(), upgraded.WorkerPids().Order());
        Assert.Equal(inode, ListenerInode(port));
        Assert.Equal(upgraded.Pid.ToString(CultureInfo.InvariantCulture), (await File.ReadAllTextAsync(pidfile)).Trim());
        Assert.False(File.Exists(pidfile + ".2"), "the old master left PIDFILE.2");

        var result = await FinishLoadAsync(load, stop, newWorkers, await SocketOfAsync(upgraded.Pid, dir, server));
        ServerAssert.NoFailedCalls(result, "the connection-per-call client");
        Assert.True(result.Pids.Keys.Intersect(oldWorkers).Any(), $"no call was answered by the old workers: {result}");
        ServerAssert.EveryReadCallAnswered(server);
    }

    [Fact]
    public async Task Usr2_UnderSystemd_TheNewMasterTakesMainPidAndTheWatchdog_AndTheOldOneQuitsWithoutSendingStopping()
    {
        using var dir = new TestDirectory("upgrade-systemd");
        await using var systemd = new NotifySocket(dir.File("notify"));
        int port = FreePort.Next();
        // As systemd starts a service: WATCHDOG_PID names the main process, the one that execs the server.
        await using var server = TunicornServer.StartExecutable("/bin/sh",
            ["-c", "export WATCHDOG_PID=$$; exec \"$0\" \"$@\"", RepoPaths.Cli, RepoPaths.TestAppDll, "-b", $"127.0.0.1:{port}", "-w", "2",
             "--graceful-timeout", "10"],
            output, new Dictionary<string, string?>(RuntimeFolder(dir)) { ["NOTIFY_SOCKET"] = systemd.Path, ["WATCHDOG_USEC"] = "400000" });
        string Diagnostics() => $"notifications: {systemd.Dump()}{Environment.NewLine}{server.Describe()}";
        int ready = await systemd.WaitForAsync("READY=1", TunicornServer.BootTimeout, diagnostics: Diagnostics);
        Assert.Equal(server.MasterPid.ToString(CultureInfo.InvariantCulture), systemd.ValueIn(ready, "MAINPID"));

        int mark = systemd.Messages.Count;
        int logMark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Usr2));
        await using var upgraded = await UpgradedMaster.FoundAsync(server, logMark, StepTimeout);
        int newReady = await systemd.WaitForAsync("READY=1", StepTimeout, mark, Diagnostics);
        Assert.Equal(upgraded.Pid.ToString(CultureInfo.InvariantCulture), systemd.ValueIn(newReady, "MAINPID"));

        // The old master quits as the procedure says. A STOPPING=1 from it would put the unit into deactivating, and
        // systemd would stop the new master with it.
        Assert.True(server.Signal(UnixSignal.Quit));
        Assert.Equal(0, await server.WaitForExitAsync(StepTimeout));
        Assert.DoesNotContain(systemd.Messages.Skip(mark), m => m.StartsWith("STOPPING=1", StringComparison.Ordinal));
        Assert.DoesNotContain(systemd.Messages.Skip(newReady + 1), m => m.StartsWith("READY=1", StringComparison.Ordinal));

        // The watchdog is the new master's now (WATCHDOG_PID named the old one): its pings go on.
        int afterQuit = systemd.Messages.Count;
        await Eventually.WaitUntilAsync(() => systemd.Messages.Skip(afterQuit).Count(m => m == "WATCHDOG=1") >= 3, StepTimeout,
            "three WATCHDOG=1 pings after the old master exited", Diagnostics);
        await upgraded.WaitForWorkersAsync(2, StepTimeout);

        mark = systemd.Messages.Count;
        Assert.True(upgraded.Signal(UnixSignal.Term));
        await systemd.WaitForAsync("STOPPING=1", StepTimeout, mark, Diagnostics);
        await upgraded.WaitForExitAsync(StepTimeout);
    }

    [Fact]
    public async Task Usr2_WithAdminBind_TheNewMasterWaitsForThePort_AndServesTheAdminEndpointOnceTheOldMasterQuits()
    {
        using var dir = new TestDirectory("upgrade-admin");
        int port = FreePort.Next();
        string admin = $"127.0.0.1:{FreePort.Next()}";
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1,
            ["--graceful-timeout", "10", "--admin-bind", admin], output, RuntimeFolder(dir));
        Assert.Equal(server.MasterPid, await AdminPidAsync(admin));

        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Usr2));
        await using var upgraded = await UpgradedMaster.FoundAsync(server, mark, StepTimeout);
        await upgraded.WaitForWorkersAsync(1, StepTimeout);
        // The port is the old master's until it stops: the new master says so and serves on rather than failing the upgrade.
        await server.WaitForLogAsync(new($@"\[{upgraded.Pid}\] \[WARNING\] admin_bind '{Regex.Escape(admin)}' is still served by the previous master \(pid: {server.MasterPid}\)"),
            StepTimeout, mark);
        Assert.Equal(server.MasterPid, await AdminPidAsync(admin));

        Assert.True(server.Signal(UnixSignal.Winch));
        Assert.True(server.Signal(UnixSignal.Quit));
        Assert.Equal(0, await server.WaitForExitAsync(StepTimeout));
        int? served = null;
        await Eventually.WaitUntilAsync(async () => (served = await TryAdminPidAsync(admin)) == upgraded.Pid, StepTimeout,
            "the new master to serve the admin endpoint", () => $"served by {served?.ToString(CultureInfo.InvariantCulture) ?? "nobody"}");
        Assert.True(upgraded.Signal(UnixSignal.Term));
        await upgraded.WaitForExitAsync(StepTimeout);
    }

    private static async Task<int> AdminPidAsync(string admin) =>
        await TryAdminPidAsync(admin) ?? throw new Xunit.Sdk.XunitException($"nobody answers /status.json at {admin}");

    private static async Task<int?> TryAdminPidAsync(string admin)
    {
        try
        {
            var (status, _, body) = await Metrics.AdminHttp.GetAsync(admin, "/status.json");
            using var json = JsonDocument.Parse(body);
            return status == 200 && json.RootElement.TryGetProperty("pid", out var pid) ? pid.GetInt32() : null;
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return null;
        }
    }

    [Fact]
    public async Task Usr2_RolledBackByHupOfTheOldMasterAndTermOfTheNew_UnderLoad_TheOldMasterServesAgain_WithoutAFailedCall()
    {
        using var dir = new TestDirectory("upgrade-rollback");
        string pidfile = dir.File("tunicorn.pid");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2,
            ["--graceful-timeout", "10", "-p", pidfile], output, RuntimeFolder(dir));
        long inode = ListenerInode(port);
        string stop = dir.File("stop-load");
        await using var load = await StartLoadAsync(port, stop);

        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Usr2));
        await using var upgraded = await UpgradedMaster.FoundAsync(server, mark, StepTimeout);
        var newWorkers = await upgraded.WaitForWorkersAsync(2, StepTimeout);
        Assert.True(server.Signal(UnixSignal.Winch));
        await Eventually.WaitUntilAsync(() => ProcessTable.ChildrenOf(server.MasterPid).Select(c => c.Pid).SequenceEqual([upgraded.Pid]),
            StepTimeout, "the old master's only child is the new master", server.Describe);

        // Rollback: HUP brings the old master's workers back (with its own app, no reload), TERM stops the new master.
        mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Hup));
        await server.WaitForLogAsync(new(@"Starting 2 workers again, with the app this master runs \(HUP\)"), StepTimeout, mark);
        IReadOnlyList<int> restored = [];
        await Eventually.WaitUntilAsync(() =>
        {
            restored = ProcessTable.ChildrenOf(server.MasterPid).Select(c => c.Pid).Where(p => p != upgraded.Pid).ToList();
            return restored.Count == 2 && restored.All(server.BootedPids().Contains);
        }, StepTimeout, "2 booted workers of the old master again", server.Describe);
        Assert.True(upgraded.Signal(UnixSignal.Term));
        await upgraded.WaitForExitAsync(StepTimeout);
        await server.WaitForLogAsync(new($@"the new master \(pid: {upgraded.Pid}\) exited after [0-9.]+s \(exit code 0: it was stopped\); this master serves on"),
            StepTimeout, mark);
        await Eventually.WaitUntilAsync(() => File.Exists(pidfile) && File.ReadAllText(pidfile).Trim() == server.MasterPid.ToString(CultureInfo.InvariantCulture),
            StepTimeout, "the pidfile names the old master again", server.Describe);
        Assert.False(File.Exists(pidfile + ".2"), "PIDFILE.2 is left after the rollback");
        Assert.Equal(inode, ListenerInode(port));
        Assert.Equal(restored.Order(), server.WorkerPids().Order());

        var result = await FinishLoadAsync(load, stop, restored, await SocketOfAsync(server.MasterPid, dir, server));
        ServerAssert.NoFailedCalls(result, "the connection-per-call client");
        Assert.True(result.Pids.Keys.Intersect(newWorkers).Any(), $"no call was answered by the new master's workers: {result}");
        ServerAssert.EveryReadCallAnswered(server);
    }

    [Fact]
    public async Task Usr2_AfterTheAppWasReplacedByABrokenOne_LeavesTheOldMasterServing_AndLogsWhyTheNewMasterExited()
    {
        using var dir = new TestDirectory("upgrade-broken");
        string app = DeployedCopy.Of(RepoPaths.TestAppDll, dir, "app");
        string pidfile = dir.File("tunicorn.pid");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(app, port, workers: 2, ["--graceful-timeout", "10", "-p", pidfile], output, RuntimeFolder(dir));
        var old = server.WorkerPids();
        string stop = dir.File("stop-load");
        await using var load = await StartLoadAsync(port, stop);

        DeployedCopy.ReplaceWithGarbage(app);
        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Usr2));
        await using var upgraded = await UpgradedMaster.FoundAsync(server, mark, StepTimeout);
        // The old master says why: the new master's exit code, named; the new master's own line names the app.
        await server.WaitForLogAsync(new($@"the new master \(pid: {upgraded.Pid}\) exited after [0-9.]+s \(exit code 4: the app failed to load\); this master serves on"),
            StepTimeout, mark);
        Assert.Contains(server.Log.Snapshot(mark), line => line.Contains($"[{upgraded.Pid}]", StringComparison.Ordinal) && line.Contains("App failed to load", StringComparison.Ordinal));
        await Eventually.WaitUntilAsync(() => File.Exists(pidfile) && File.ReadAllText(pidfile).Trim() == server.MasterPid.ToString(CultureInfo.InvariantCulture),
            StepTimeout, "the pidfile names the old master again", server.Describe);

        var result = await FinishLoadAsync(load, stop, old, await SocketOfAsync(server.MasterPid, dir, server));
        Assert.False(server.HasExited, server.Describe());
        Assert.Equal(old.Order(), server.WorkerPids().Order());
        ServerAssert.NoFailedCalls(result, "the connection-per-call client");
        Assert.All(result.Pids.Keys, pid => Assert.Contains(pid, old));
    }

    [Fact]
    public async Task Usr2_AfterTheExecutableWasReplacedByABrokenOne_LeavesTheOldMasterServing_AndLogsWhy()
    {
        using var dir = new TestDirectory("upgrade-broken-exe");
        string cli = DeployedCopy.Of(RepoPaths.Cli, dir, "cli");
        string pidfile = dir.File("tunicorn.pid");
        int port = FreePort.Next();
        await using var server = TunicornServer.StartExecutable(cli,
            [RepoPaths.TestAppDll, "-b", $"127.0.0.1:{port}", "-w", "2", "-p", pidfile], output, RuntimeFolder(dir));
        var old = await server.WaitForReadyAsync(2);
        string stop = dir.File("stop-load");
        await using var load = await StartLoadAsync(port, stop);

        DeployedCopy.ReplaceWithGarbage(cli);
        File.SetUnixFileMode(cli, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Usr2));
        await server.WaitForLogAsync(new(@"Upgrade failed: the new master could not be started: .+; this master serves on"), StepTimeout, mark);
        Assert.DoesNotContain(server.Log.Snapshot(mark), line => UpgradedMaster.Started.IsMatch(line));
        Assert.Equal(server.MasterPid.ToString(CultureInfo.InvariantCulture), (await File.ReadAllTextAsync(pidfile)).Trim());
        Assert.False(File.Exists(pidfile + ".2"));

        var result = await FinishLoadAsync(load, stop, old, await SocketOfAsync(server.MasterPid, dir, server));
        Assert.Equal(old.Order(), server.WorkerPids().Order());
        ServerAssert.NoFailedCalls(result, "the connection-per-call client");
    }

    [Fact]
    public async Task CtlUpgrade_UnderConnectionPerCallLoad_WaitsForTheNewMaster_ThenStopsTheOld_WithoutAFailedCall()
    {
        using var dir = new TestDirectory("ctl-upgrade");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2, ["--graceful-timeout", "10"], output, RuntimeFolder(dir));
        string socket = await SocketOfAsync(server.MasterPid, dir, server);
        var oldWorkers = server.WorkerPids();
        long inode = ListenerInode(port);
        string stop = dir.File("stop-load");
        await using var load = await StartLoadAsync(port, stop);

        int mark = server.LogMark;
        var (code, stdout, stderr) = await ControlCli.RunAsync(["-s", socket, "upgrade", "--json"], RuntimeFolder(dir));
        output.WriteLine($"[test] tunicorn ctl upgrade: exit {code}: {stdout}{stderr}");
        await using var upgraded = await UpgradedMaster.FoundAsync(server, mark, StepTimeout);
        Assert.Equal(0, code);
        using (var reply = JsonDocument.Parse(stdout))
        {
            Assert.True(reply.RootElement.GetProperty("ok").GetBoolean());
            var state = reply.RootElement.GetProperty("upgrade");
            Assert.Equal(server.MasterPid, state.GetProperty("old_master_pid").GetInt32());
            Assert.Equal(upgraded.Pid, state.GetProperty("new_master_pid").GetInt32());
        }
        // The old master is gone, without worker; the new master serves the same socket and answers on its own control socket.
        Assert.Equal(0, await server.WaitForExitAsync(StepTimeout));
        await WaitForExitLinesAsync(server, oldWorkers);
        var newWorkers = await upgraded.WaitForWorkersAsync(2, StepTimeout);
        Assert.Equal(inode, ListenerInode(port));
        string newSocket = await SocketOfAsync(upgraded.Pid, dir, server);
        var status = await ControlCli.JsonAsync(newSocket, "status");
        Assert.Equal(upgraded.Pid, status.GetProperty("status").GetProperty("pid").GetInt32());

        var result = await FinishLoadAsync(load, stop, newWorkers, newSocket);
        ServerAssert.NoFailedCalls(result, "the connection-per-call client");
        ServerAssert.EveryReadCallAnswered(server);
    }

    [Fact]
    public async Task CtlUpgrade_ToABrokenApp_RollsBack_AndTheOldMasterServesOn()
    {
        using var dir = new TestDirectory("ctl-upgrade-broken");
        string app = DeployedCopy.Of(RepoPaths.TestAppDll, dir, "app");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(app, port, workers: 2, ["--graceful-timeout", "10"], output, RuntimeFolder(dir));
        string socket = await SocketOfAsync(server.MasterPid, dir, server);
        var old = server.WorkerPids();
        string stop = dir.File("stop-load");
        await using var load = await StartLoadAsync(port, stop);

        DeployedCopy.ReplaceWithGarbage(app);
        var (code, stdout, stderr) = await ControlCli.RunAsync(["-s", socket, "upgrade"], RuntimeFolder(dir));
        output.WriteLine($"[test] tunicorn ctl upgrade: exit {code}: {stdout}{stderr}");
        Assert.Equal(1, code);
        Assert.Contains("upgrade rolled back", stderr);
        Assert.Contains("exited before it served", stderr);

        var result = await FinishLoadAsync(load, stop, old, socket);
        Assert.False(server.HasExited, server.Describe());
        Assert.Equal(old.Order(), server.WorkerPids().Order());
        ServerAssert.NoFailedCalls(result, "the connection-per-call client");
        var status = await ControlCli.JsonAsync(socket, "status");
        Assert.Equal(2, status.GetProperty("status").GetProperty("workers").GetInt32());
    }

    [Fact]
    public async Task CtlUpgrade_WithControlSocketSet_TheNewMasterTakesThePath_AndTheOldOneMovesToDot2Meanwhile()
    {
        using var dir = new TestDirectory("ctl-upgrade-path");
        string socket = dir.File("orders.ctl");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1,
            ["--graceful-timeout", "10", "--control-socket", socket], output, RuntimeFolder(dir));
        await Eventually.WaitUntilAsync(() => File.Exists(socket), StepTimeout, $"{socket} exists", server.Describe);

        // USR2 by signal: the old master's socket moves aside, and the new master serves the path the settings name.
        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Usr2));
        await using var upgraded = await UpgradedMaster.FoundAsync(server, mark, StepTimeout);
        await upgraded.WaitForWorkersAsync(1, StepTimeout);
        JsonElement status = default;
        await Eventually.WaitUntilAsync(async () =>
        {
            status = await ControlCli.JsonAsync(socket, "status");
            return status.GetProperty("status").GetProperty("pid").GetInt32() == upgraded.Pid;
        }, StepTimeout, $"{socket} answered by the new master {upgraded.Pid}", server.Describe);
        Assert.Equal(server.MasterPid, (await ControlCli.JsonAsync(socket + ".2", "status")).GetProperty("status").GetProperty("pid").GetInt32());

        // Rolled back through the old master's socket: the new master stops, and the old master takes its path back.
        var (code, stdout, stderr) = await ControlCli.RunAsync(["-s", socket + ".2", "upgrade", "--rollback"], RuntimeFolder(dir));
        output.WriteLine($"[test] tunicorn ctl upgrade --rollback: exit {code}: {stdout}{stderr}");
        Assert.Equal(0, code);
        Assert.Contains($"rolled back: the new master {upgraded.Pid} stopped", stdout);
        await Eventually.WaitUntilAsync(async () =>
        {
            try
            {
                status = await ControlCli.JsonAsync(socket, "status");
                return status.GetProperty("status").GetProperty("pid").GetInt32() == server.MasterPid;
            }
            catch (InvalidOperationException)
            {
                return false; // between the new master's exit and the old master's move back
            }
        }, StepTimeout, $"{socket} answered by the old master {server.MasterPid} again", server.Describe);
        Assert.False(File.Exists(socket + ".2"), "the old master's socket is left at PATH.2");
    }

    [Fact]
    public async Task Usr2_WithAUnixSocketListener_TheOldMasterLeavesTheSocketFile_AndTheNewMasterServesIt_WithoutAFailedCall()
    {
        using var dir = new TestDirectory("upgrade-unix");
        string path = dir.File("orders.sock");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2,
            ["--graceful-timeout", "10", "-b", "unix:" + path], output, RuntimeFolder(dir));
        string stop = dir.File("stop-load");
        var load = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Unix(path), .. PythonClient.Load(connections: 2, durationSeconds: 240, pauseMs: 5, PythonClient.ConnectionPerCall),
                "--stop-file", stop]);
        await using var _ = load;
        await load.WaitForReadyAsync();

        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Usr2));
        await using var upgraded = await UpgradedMaster.FoundAsync(server, mark, StepTimeout);
        var newWorkers = await upgraded.WaitForWorkersAsync(2, StepTimeout);
        Assert.True(server.Signal(UnixSignal.Winch));
        Assert.True(server.Signal(UnixSignal.Quit));
        Assert.Equal(0, await server.WaitForExitAsync(StepTimeout));
        Assert.True(File.Exists(path), $"the old master removed {path}, which the new master serves");

        var result = await FinishLoadAsync(load, stop, newWorkers, await SocketOfAsync(upgraded.Pid, dir, server));
        ServerAssert.NoFailedCalls(result, "the connection-per-call client over the Unix socket");
    }

    [Fact]
    public async Task Usr2_OfADaemonizedMaster_StartsTheNewMasterDetachedAlike_WhichTakesThePidfile_AndServesAfterWinchAndQuit()
    {
        using var dir = new TestDirectory("upgrade-daemon");
        int port = FreePort.Next();
        string pidfile = dir.File("master.pid"), errorlog = dir.File("error.log");
        var masters = new List<int>();
        try
        {
            await using (var command = ManagedProcess.Start(RepoPaths.Cli,
                [RepoPaths.CalculatorDll, "-D", "-b", $"127.0.0.1:{port}", "-w", "2", "-p", pidfile, "--error-logfile", errorlog],
                RuntimeFolder(dir)))
            {
                Assert.Equal(0, await command.WaitForExitAsync(StepTimeout, drainOutput: true));
            }
            int old = int.Parse(File.ReadAllText(pidfile).Trim(), CultureInfo.InvariantCulture);
            masters.Add(old);
            await Eventually.WaitUntilAsync(() => ProcessTable.ChildrenOf(old).Count == 2, StepTimeout, "two workers of the daemon");

            Assert.True(Posix.Kill(old, UnixSignal.Usr2));
            // The new master is not launched as a daemon again (that would leave it the old master's grandchild, and
            // its exit unseen): it is the old master's child, and writes the pidfile itself.
            int fresh = 0;
            await Eventually.WaitUntilAsync(() =>
                File.Exists(pidfile) && int.TryParse(File.ReadAllText(pidfile).Trim(), CultureInfo.InvariantCulture, out fresh) && fresh != old,
                StepTimeout, "the pidfile names the new master", () => File.ReadAllText(errorlog));
            masters.Add(fresh);
            Assert.Equal(old, ProcessTable.Read(fresh)?.ParentPid);
            Assert.Equal(old.ToString(CultureInfo.InvariantCulture), File.ReadAllText(pidfile + ".2").Trim());
            await Eventually.WaitUntilAsync(() => ProcessTable.ChildrenOf(fresh).Count == 2, StepTimeout, "two workers of the new master",
                () => File.ReadAllText(errorlog));

            Assert.True(Posix.Kill(old, UnixSignal.Winch));
            await Eventually.WaitUntilAsync(() => ProcessTable.ChildrenOf(old).Select(c => c.Pid).SequenceEqual([fresh]), StepTimeout,
                "the old master's only child is the new master", () => File.ReadAllText(errorlog));
            Assert.True(Posix.Kill(old, UnixSignal.Quit));
            await Eventually.WaitUntilAsync(() => !ProcessTable.IsAlive(old), StepTimeout, "the old master exits on QUIT");

            CalculatorChecks.AssertPythonClientPassed(await PythonClient.RunAsync(PythonClient.CalculatorScript, PythonClient.Tcp(port)));
            Assert.Equal(fresh.ToString(CultureInfo.InvariantCulture), File.ReadAllText(pidfile).Trim());
            Assert.False(File.Exists(pidfile + ".2"));
        }
        finally
        {
            output.WriteLine(File.Exists(errorlog) ? File.ReadAllText(errorlog) : "(no error log)");
            foreach (int pid in masters.Where(p => ProcessTable.IsAlive(p)))
            {
                foreach (var worker in ProcessTable.ChildrenOf(pid))
                    Posix.Kill(worker.Pid, UnixSignal.Kill);
                Posix.Kill(pid, UnixSignal.Kill);
            }
        }
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("nativeaot")]
    public async Task Usr2_OfAnEmbeddedProgram_StartsTheSameExecutableAsTheNewMaster_WhichServesTheCalculator(string kind)
    {
        string program = kind == "nativeaot" ? RepoPaths.NativeAotCalculator : RepoPaths.EmbeddedCalculator;
        Assert.True(File.Exists(program), $"{program} is missing: scripts/test.sh builds and publishes it");
        int port = FreePort.Next();
        await using var server = TunicornServer.StartExecutable(program, ["-b", $"127.0.0.1:{port}", "-w", "2"], output);
        await server.WaitForReadyAsync(2);

        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Usr2));
        await using var upgraded = await UpgradedMaster.FoundAsync(server, mark, StepTimeout);
        await upgraded.WaitForWorkersAsync(2, StepTimeout);
        Assert.Equal(Path.GetFullPath(program), new FileInfo($"/proc/{upgraded.Pid}/exe").LinkTarget);
        Assert.True(server.Signal(UnixSignal.Winch));
        Assert.True(server.Signal(UnixSignal.Quit));
        Assert.Equal(0, await server.WaitForExitAsync(StepTimeout));

        CalculatorChecks.AssertPythonClientPassed(await PythonClient.RunAsync(PythonClient.CalculatorScript, PythonClient.Tcp(port)));
        Assert.True(upgraded.IsAlive);
    }

    /// <summary>Each worker's "Worker exiting" line, which reaches the harness through the log pipe, possibly after the process is gone.</summary>
    private static Task WaitForExitLinesAsync(TunicornServer server, IReadOnlyList<int> workers) =>
        Eventually.WaitUntilAsync(() => workers.All(pid => server.WorkerExits().Any(e => e.Pid == pid)),
            StepTimeout, $"a 'Worker exiting' line for each of {string.Join(", ", workers)}", server.Describe);

    private static Dictionary<string, string?> RuntimeFolder(TestDirectory dir) => new() { ["XDG_RUNTIME_DIR"] = dir.Path };

    private static async Task<string> SocketOfAsync(int masterPid, TestDirectory runtime, TunicornServer server)
    {
        string path = Path.Combine(runtime.Path, $"tunicorn.{masterPid}.ctl");
        await Eventually.WaitUntilAsync(() => File.Exists(path), StepTimeout, $"{path} exists", server.Describe);
        return path;
    }

    /// <summary>A connection a call, until <paramref name="stopFile"/> exists: the load spans every step however long each takes.</summary>
    private static async Task<RunningPython> StartLoadAsync(int port, string stopFile)
    {
        var load = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Tcp(port), .. PythonClient.Load(connections: 2, durationSeconds: 240, pauseMs: 5, PythonClient.ConnectionPerCall),
                "--stop-file", stopFile]);
        await load.WaitForReadyAsync();
        return load;
    }

    /// <summary>
    /// Lets the load run until the workers that serve now (<paramref name="serving"/>, of the master at
    /// <paramref name="socket"/>) answered more of it, then stops it and returns its result.
    /// </summary>
    private async Task<LoadResult> FinishLoadAsync(RunningPython load, string stopFile, IReadOnlyList<int> serving, string socket)
    {
        long before = await CallsServedAsync(socket, serving);
        long now = before;
        await Eventually.WaitUntilAsync(async () => (now = await CallsServedAsync(socket, serving)) >= before + 20,
            StepTimeout, $"20 more calls answered by {string.Join(", ", serving)} (from {before}, now {now})");
        await File.WriteAllTextAsync(stopFile, "");
        var result = await load.LoadResultAsync(LoadDeadline);
        output.WriteLine($"[test] connection-per-call client: {result}");
        Assert.True(result.Pids.Keys.Intersect(serving).Any(), $"no call was answered by the workers that serve now ({string.Join(", ", serving)}): {result}");
        return result;
    }

    /// <summary>The calls <paramref name="workers"/> answered so far, as the master's control socket reports them (from their heartbeats).</summary>
    private static async Task<long> CallsServedAsync(string socket, IReadOnlyList<int> workers)
    {
        var reply = await ControlCli.AskAsync(socket, """{"command":"workers"}""");
        return reply.GetProperty("workers").EnumerateArray()
            .Where(w => workers.Contains(w.GetProperty("pid").GetInt32()))
            .Sum(w => w.GetProperty("calls_served").GetInt64());
    }

    /// <summary>The inode of the one socket listening on 127.0.0.1:<paramref name="port"/> (/proc/net/tcp, state 0A).</summary>
    private static long ListenerInode(int port)
    {
        string local = "0100007F:" + port.ToString("X4", CultureInfo.InvariantCulture);
        var inodes = File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f[1] == local && f[3] == "0A")
            .Select(f => long.Parse(f[9], CultureInfo.InvariantCulture))
            .ToList();
        Assert.True(inodes.Count == 1, $"{inodes.Count} sockets listen on 127.0.0.1:{port}, not one");
        return inodes[0];
    }

    /// <summary>The inodes of the sockets <paramref name="pid"/> holds (/proc/PID/fd links read socket:[INODE]).</summary>
    private static HashSet<long> SocketInodesOf(int pid)
    {
        var inodes = new HashSet<long>();
        foreach (string link in Directory.EnumerateFiles($"/proc/{pid}/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(link).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed meanwhile
            }
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                inodes.Add(long.Parse(target.AsSpan(8, target.Length - 9), CultureInfo.InvariantCulture));
        }
        return inodes;
    }
}
