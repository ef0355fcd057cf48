using System.Text.Json;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>Issue 14 items 1-2: the master's control socket and <c>tunicorn ctl</c>, on a real master and real workers.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // file modes, users and /proc of a Linux machine
public sealed class ControlSocketTests(ITestOutputHelper output)
{
    private const int Nobody = 65534;
    private static readonly TimeSpan LoadDeadline = TimeSpan.FromSeconds(60);

    private static Dictionary<string, string?> RuntimeFolder(TestDirectory dir) => new() { ["XDG_RUNTIME_DIR"] = dir.Path };

    /// <summary>The default socket of <paramref name="server"/>: tunicorn.PID.ctl in the runtime folder, once the master created it.</summary>
    private static async Task<string> SocketOfAsync(TunicornServer server, TestDirectory runtime)
    {
        string path = Path.Combine(runtime.Path, $"tunicorn.{server.MasterPid}.ctl");
        await Eventually.WaitUntilAsync(() => File.Exists(path), TimeSpan.FromSeconds(10), $"{path} exists", server.Describe);
        return path;
    }

    private static IReadOnlyList<JsonElement> Workers(JsonElement reply) => [.. reply.GetProperty("workers").EnumerateArray()];

    [Fact]
    public async Task Workers_UnderLoad_ListsEveryWorker_WithItsCallInFlight_AndItsMethod()
    {
        using var runtime = new TestDirectory("ctl-rt");
        string release = runtime.File("release");
        var environment = RuntimeFolder(runtime);
        environment["TUNICORN_TEST_RELEASE_FILE"] = release;
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2, ["-t", "120"], output, environment);
        string socket = await SocketOfAsync(server, runtime);

        // Calls that block until the release file exists, one connection each, until every worker holds one.
        var calls = new List<Task>();
        var clients = new List<IDisposable>();
        try
        {
            JsonElement reply = default;
            await Eventually.WaitUntilAsync(async () =>
            {
                if (calls.Count < 16)
                {
                    var client = await ThriftClients.TestServiceAsync(port, TimeSpan.FromSeconds(90));
                    clients.Add(client);
                    calls.Add(client.sleep(60_000));
                }
                reply = await ControlCli.JsonAsync(socket, "workers");
                var rows = Workers(reply);
                return rows.Count == 2 && rows.All(w => w.GetProperty("calls_in_flight").GetInt64() >= 1
                    && w.GetProperty("oldest_call_method").GetString() == "sleep" && w.GetProperty("oldest_call_seconds").GetDouble() > 0);
            }, TimeSpan.FromSeconds(30), "every worker listed with a 'sleep' call in flight", () => reply.ToString() + server.Describe());

            var listed = Workers(reply);
            Assert.Equal(server.WorkerPids().Order(), listed.Select(w => w.GetProperty("pid").GetInt32()).Order());
            Assert.All(listed, w =>
            {
                Assert.True(w.GetProperty("booted").GetBoolean());
                Assert.Equal(0, w.GetProperty("generation").GetInt32());
                Assert.True(w.GetProperty("connections").GetInt32() >= 1, w.ToString());
                Assert.True(w.GetProperty("rss_bytes").GetInt64() > 1024 * 1024, w.ToString());
            });

            // The human table: a header and a row a worker, with the method of the oldest call.
            var (code, table, errors) = await ControlCli.RunAsync(["-s", socket, "workers"]);
            output.WriteLine(table);
            Assert.Equal(0, code);
            Assert.StartsWith("PID", table);
            Assert.Equal(3, table.Trim().Split('\n').Length);
            Assert.Contains("sleep ", table);
            Assert.Empty(errors);
        }
        finally
        {
            await File.WriteAllTextAsync(release, "");
            await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30));
            foreach (var c in clients)
                c.Dispose();
        }
    }

    [Fact]
    public async Task AddRemoveKillReloadReopenStop_DoWhatTheSignalsDo_WhileThePythonClientSeesNoFailedCall()
    {
        using var runtime = new TestDirectory("ctl-rt");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2, ["--graceful-timeout", "10"], output,
            RuntimeFolder(runtime));
        string socket = await SocketOfAsync(server, runtime);
        var first = server.WorkerPids();

        await using var retrying = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Tcp(port), .. PythonClient.Load(connections: 3, durationSeconds: 25, pauseMs: 5, PythonClient.RetryOnceOnIdleClose)]);
        await using var perCall = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Tcp(port), .. PythonClient.Load(connections: 1, durationSeconds: 25, pauseMs: 10, PythonClient.ConnectionPerCall)]);
        await Task.WhenAll(retrying.WaitForReadyAsync(), perCall.WaitForReadyAsync());

        // add 2: as two TTIN.
        var added = await ControlCli.JsonAsync(socket, "add", "2");
        Assert.Equal("target is now 4 workers", added.GetProperty("message").GetString());
        var four = await server.WaitForWorkerCountAsync(4, TunicornServer.BootTimeout);
        Assert.Superset(first.ToHashSet(), four.ToHashSet());

        // remove 1: as TTOU, the oldest first.
        await ControlCli.JsonAsync(socket, "remove", "1");
        var three = await server.WaitForWorkerCountAsync(3, TimeSpan.FromSeconds(20));
        Assert.DoesNotContain(first.Min(), three);

        // kill PID: that worker stops gracefully and is replaced.
        int victim = three[0];
        await ControlCli.JsonAsync(socket, "kill", victim.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await server.WaitForLogAsync(LogPatterns.WorkerExitingPid(victim), TimeSpan.FromSeconds(20));
        var replaced = await server.WaitForWorkerCountAsync(3, TunicornServer.BootTimeout, pids => !pids.Contains(victim), "the killed worker replaced");

        // reload: as HUP, every worker replaced by generation 1, with the settings' worker count again (-w 2), as HUP does.
        int mark = server.LogMark;
        var reloading = await ControlCli.JsonAsync(socket, "reload");
        Assert.StartsWith("reloading: generation 1", reloading.GetProperty("message").GetString());
        await server.WaitForWorkerCountAsync(2, TunicornServer.BootTimeout, pids => !pids.Intersect(replaced).Any(), "every worker replaced by the reload");
        await Eventually.WaitUntilAsync(async () => (await ControlCli.JsonAsync(socket, "status")).GetProperty("status").GetProperty("generation").GetInt32() == 1,
            TimeSpan.FromSeconds(20), "status says generation 1", server.Describe);

        // reopen: as USR1, every worker reopens its log files.
        mark = server.LogMark;
        await ControlCli.JsonAsync(socket, "reopen");
        await Eventually.WaitUntilAsync(() => server.Log.Snapshot(mark).Count(l => l.Contains("reopened its log files", StringComparison.Ordinal)) >= 2,
            TimeSpan.FromSeconds(10), "every worker reopened its log files", server.Describe);

        var retried = await retrying.LoadResultAsync(LoadDeadline);
        var single = await perCall.LoadResultAsync(LoadDeadline);
        output.WriteLine($"[test] retrying persistent client: {retried}");
        output.WriteLine($"[test] connection-per-call client: {single}");
        ServerAssert.NoFailedCalls(retried, "the retrying persistent client");
        ServerAssert.NoFailedCalls(single, "the connection-per-call client");
        Assert.Equal(0, single.Retries);

        // stop: as TERM; the master exits 0 and removes its socket.
        var stopping = await ControlCli.JsonAsync(socket, "stop");
        Assert.StartsWith("stopping gracefully", stopping.GetProperty("message").GetString());
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(File.Exists(socket), "the control socket outlived its master");
        Assert.Empty(server.LeftoverWorkers());
    }

    [Fact]
    public async Task AnotherUser_IsRefused_AndTheRefusalLogged_EvenWithMode0666()
    {
        using var runtime = new TestDirectory("ctl-rt");
        File.SetUnixFileMode(runtime.Path, (UnixFileMode)Convert.ToInt32("755", 8)); // nobody may reach the socket file
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1, ["--control-socket-mode", "0666"], output,
            RuntimeFolder(runtime));
        string socket = await SocketOfAsync(server, runtime);
        Assert.Equal((UnixFileMode)Convert.ToInt32("666", 8), File.GetUnixFileMode(socket));

        int mark = server.LogMark;
        var (code, stdout, stderr) = await ControlCli.RunAsync(["-s", socket, "stop"], asUser: Nobody);
        output.WriteLine(stdout + stderr);
        Assert.Equal(1, code);
        Assert.Contains($"permission denied: uid {Nobody}", stderr);
        await server.WaitForLogAsync(new($@"Control socket: refused a client of uid {Nobody} \(pid \d+\)"), TimeSpan.FromSeconds(10), mark);

        // Nothing happened: the server still runs its worker, and answers its own user.
        Assert.False(server.HasExited);
        var status = await ControlCli.JsonAsync(socket, "status");
        Assert.Equal(server.MasterPid, status.GetProperty("status").GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task HundredReloadsThroughTheSocket_LeaveTheMastersDescriptorAndThreadCountsUnchanged()
    {
        using var runtime = new TestDirectory("ctl-rt");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1, ["--graceful-timeout", "5"], output,
            RuntimeFolder(runtime));
        string socket = await SocketOfAsync(server, runtime);

        async Task ReloadAsync(int generation)
        {
            var reply = await ControlCli.AskAsync(socket, """{"command":"reload"}""");
            Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
            await Eventually.WaitUntilAsync(async () =>
            {
                var status = (await ControlCli.AskAsync(socket, """{"command":"status"}""")).GetProperty("status");
                return status.GetProperty("generation").GetInt32() == generation && status.GetProperty("workers").GetInt32() == 1;
            }, TimeSpan.FromSeconds(60), $"generation {generation} serves alone", server.Describe);
        }

        // Reloads first, so that what the master opens once (thread pool threads, the socket engine) is in the baseline.
        const int WarmUp = 10;
        for (int g = 1; g <= WarmUp; g++)
            await ReloadAsync(g);
        var before = await SettledCountsAsync(server.MasterPid);
        var openBefore = DescriptorTargets(server.MasterPid);
        for (int g = WarmUp + 1; g <= WarmUp + 100; g++)
            await ReloadAsync(g);
        var after = await SettledCountsAsync(server.MasterPid, atMost: before);
        output.WriteLine($"[test] master after {WarmUp} reloads: {before.Fds} fds (besides the host's assemblies), {before.Threads} threads; after 100 more: {after.Fds} fds, {after.Threads} threads");
        Assert.True(after.Fds <= before.Fds, $"descriptors grew from {before.Fds} to {after.Fds}; new: "
            + string.Join(", ", DescriptorTargets(server.MasterPid).Except(openBefore).Where(d => !IsHostAssembly(d))));
        Assert.True(after.Threads <= before.Threads, $"threads grew from {before.Threads} to {after.Threads}");
    }

    /// <summary>
    /// A descriptor on an assembly of the host (the CLI's folder or the shared framework), not of the app. The runtime maps
    /// each such assembly once and for good when it is first needed (seen: Tomlyn.dll, after some tens of reloads, when a
    /// method is recompiled by the tiered JIT), so it is not counted; the app's assemblies, loaded anew at every reload, are.
    /// </summary>
    private static bool IsHostAssembly(string descriptor)
    {
        string target = descriptor[(descriptor.IndexOf(" -> ", StringComparison.Ordinal) + 4)..];
        string app = Path.GetDirectoryName(RepoPaths.TestAppDll)! + "/";
        return target.EndsWith(".dll", StringComparison.Ordinal) && !target.StartsWith(app, StringComparison.Ordinal);
    }

    /// <summary>What each descriptor of <paramref name="pid"/> is open on ("fd -> target"), for a failure message.</summary>
    private static List<string> DescriptorTargets(int pid)
    {
        var targets = new List<string>();
        foreach (string link in Directory.EnumerateFiles($"/proc/{pid}/fd"))
        {
            try
            {
                targets.Add($"{Path.GetFileName(link)} -> {new FileInfo(link).LinkTarget}");
            }
            catch (IOException)
            {
                // closed meanwhile
            }
        }
        return targets;
    }

    /// <summary>
    /// The master's descriptor and thread counts once they stop moving (a retired worker's pipes close as it is reaped, and
    /// thread pool threads retire when idle); with <paramref name="atMost"/>, waits (bounded) for them to fall to it.
    /// </summary>
    private static async Task<(int Fds, int Threads)> SettledCountsAsync(int pid, (int Fds, int Threads)? atMost = null)
    {
        (int, int) Counts() => (DescriptorTargets(pid).Count(d => !IsHostAssembly(d)), Directory.GetDirectories($"/proc/{pid}/task").Length);
        var last = Counts();
        int steady = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(250);
            var now = Counts();
            steady = now == last ? steady + 1 : 0;
            last = now;
            bool low = atMost is not { } limit || (now.Item1 <= limit.Fds && now.Item2 <= limit.Threads);
            if (steady >= 8 && low)
                break;
        }
        return last;
    }

    [Fact]
    public async Task ReadOnlyRuntimeFolder_TheServerStartsAndServes_AndLogsOneWarning()
    {
        using var runtime = new TestDirectory("ctl-ro");
        File.SetUnixFileMode(runtime.Path, (UnixFileMode)Convert.ToInt32("555", 8));
        int port = FreePort.Next();
        // The master runs as nobody: root would write into a read-only folder regardless (CAP_DAC_OVERRIDE).
        await using var server = TunicornServer.StartExecutable("/usr/bin/setpriv",
            [$"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", RepoPaths.Cli, RepoPaths.TestAppDll, "-b", $"127.0.0.1:{port}", "-w", "1"],
            output, RuntimeFolder(runtime));
        await server.WaitForReadyAsync(1);

        using var client = await ThriftClients.TestServiceAsync(port);
        Assert.Equal(5, await client.add(2, 3));
        var warnings = server.Log.Snapshot(0).Where(l => l.Contains("[WARNING]", StringComparison.Ordinal)).ToList();
        string expected = Path.Combine(runtime.Path, $"tunicorn.{server.MasterPid}.ctl");
        var warning = Assert.Single(warnings);
        Assert.Contains($"Control socket not created at {expected}: ", warning);
        Assert.Contains("the server serves without it", warning);
        Assert.False(File.Exists(expected));
    }
}
