using System.Globalization;
using Tunicorn.IntegrationTests.Harness;
using Tunicorn.TestApp;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Acceptance 9: every hook fires once per event, in the process it belongs to. RecordingHooks (tests/TestApp)
/// appends <c>hook PID EXTRA</c> per call from the master and all workers to one file.
/// </summary>
public sealed class HookTests(ITestOutputHelper output)
{
    private const string Hooks = "Tunicorn.TestApp.RecordingHooks";

    private static readonly string[] MasterHooks = ["on_starting", "on_reload", "when_ready", "pre_fork", "pre_exec", "child_exit", "nworkers_changed", "on_exit"];

    private static readonly string[] WorkerHooks =
    [
        "post_fork", "post_worker_init", "worker_int", "worker_abort", "worker_term", "worker_exit",
        "pre_request", "post_request", "on_connected", "post_connect_closed", "on_tdecode_exception",
    ];

    [Fact]
    public async Task Hooks_FireOncePerEvent_InTheRightProcess_ThroughCallsTtinAndTerm()
    {
        using var dir = new TestDirectory("hooks");
        string hookLog = dir.File("hooks.log");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2, ["--hooks", Hooks], output,
            new Dictionary<string, string?> { [RecordingHooks.HookLogVariable] = hookLog });
        int master = server.MasterPid;

        // One connection, five calls (one of them oneway), then closed.
        int served;
        using (var client = await ThriftClients.TestServiceAsync(port))
        {
            Assert.Equal(3, await client.add(1, 2));
            Assert.Equal(7, await client.add(3, 4));
            served = await client.pid();
            await client.fire(0);
            // A call after the oneway one: its reply proves the worker processed fire before it.
            Assert.Equal("x", await client.echo("x"));
        }
        await Eventually.WaitUntilAsync(() => Read(hookLog).Any(e => e is { Hook: "post_connect_closed" } && e.Pid == served),
            TimeSpan.FromSeconds(10), "post_connect_closed after the client closed", () => Dump(hookLog));

        // One worker more.
        Assert.True(server.Signal(UnixSignal.Ttin));
        var three = await server.WaitForWorkerCountAsync(3, TunicornServer.BootTimeout);

        Assert.Equal(0, await server.StopAsync());
        var entries = Read(hookLog);
        output.WriteLine($"[test] master {master}, workers {string.Join(", ", three)}; hook log:{Environment.NewLine}{Dump(hookLog)}");

        // Every worker process the master ran, and nothing else, shows up in worker hooks.
        var workers = entries.Where(e => e.Hook == "post_fork").Select(e => e.Pid).ToHashSet();
        Assert.Equal(three.ToHashSet(), workers);
        Assert.Equal(server.BootingPids().ToHashSet(), workers);
        Assert.All(entries.Where(e => MasterHooks.Contains(e.Hook)), e => Assert.Equal(master, e.Pid));
        Assert.All(entries.Where(e => WorkerHooks.Contains(e.Hook)), e => Assert.Contains(e.Pid, workers));
        Assert.All(entries, e => Assert.True(MasterHooks.Contains(e.Hook) || WorkerHooks.Contains(e.Hook), $"unknown hook line: {e}"));

        // Master: once per server, once per worker, once per change of the worker count.
        Assert.Single(entries, e => e.Hook == "on_starting");
        Assert.Single(entries, e => e.Hook == "when_ready");
        Assert.Single(entries, e => e.Hook == "on_exit");
        Assert.Equal("on_starting", entries[0].Hook);
        Assert.Equal("on_exit", entries.Last(e => e.Pid == master).Hook);
        Assert.Equal(3, entries.Count(e => e.Hook == "pre_fork"));
        Assert.Equal(workers.Order(), entries.Where(e => e.Hook == "child_exit").Select(e => int.Parse(e.Extra, CultureInfo.InvariantCulture)).Order());
        var counts = entries.Where(e => e.Hook == "nworkers_changed").ToArray();
        Assert.Equal(2, counts.Length);
        Assert.Equal(("2", "-"), (counts[0].Extra, counts[0].Detail));
        Assert.Equal(("3", "2"), (counts[1].Extra, counts[1].Detail));

        // Each worker: once each through its life, in order, and its exit seen by the master after it ran worker_exit.
        foreach (int worker in workers)
        {
            string pid = worker.ToString(CultureInfo.InvariantCulture);
            var own = entries.Where(e => e.Pid == worker && e.Hook is "post_fork" or "post_worker_init" or "worker_term" or "worker_exit").ToArray();
            Assert.Equal(["post_fork", "post_worker_init", "worker_term", "worker_exit"], own.Select(e => e.Hook));
            Assert.All(own, e => Assert.Equal(pid, e.Extra));
            int exited = IndexOf(entries, e => e.Hook == "worker_exit" && e.Pid == worker);
            int reaped = IndexOf(entries, e => e.Hook == "child_exit" && e.Extra == pid);
            Assert.True(exited < reaped, $"child_exit for {worker} came before its worker_exit");
        }

        // Calls: pre_request and post_request once per call, with the method, in the worker that served them.
        string[] calls = ["add", "add", "pid", "fire", "echo"];
        Assert.Equal(calls, entries.Where(e => e.Hook == "pre_request").Select(e => e.Extra));
        Assert.Equal(calls, entries.Where(e => e.Hook == "post_request").Select(e => e.Extra));
        Assert.All(entries.Where(e => e.Hook is "pre_request" or "post_request"), e => Assert.Equal(served, e.Pid));

        // The connection: opened and closed once, in the worker that served it.
        var connected = Assert.Single(entries, e => e.Hook == "on_connected");
        var closed = Assert.Single(entries, e => e.Hook == "post_connect_closed");
        Assert.Equal(served, connected.Pid);
        Assert.Equal(served, closed.Pid);
        Assert.Equal(connected.Extra, closed.Extra);
        Assert.True(IndexOf(entries, e => e.Hook == "on_connected") < IndexOf(entries, e => e.Hook == "pre_request"));

        // Events that did not happen.
        foreach (string hook in new[] { "on_reload", "pre_exec", "worker_int", "worker_abort", "on_tdecode_exception" })
            Assert.DoesNotContain(entries, e => e.Hook == hook);
    }

    [Fact]
    public async Task ThrowingPostFork_IsLoggedWithItsName_AndTheWorkerBootsAndServes()
    {
        // A throwing hook never stops the server (DESIGN.md), post_fork included: not a boot error, the master stays up.
        using var dir = new TestDirectory("hooks-post-fork-throws");
        string hookLog = dir.File("hooks.log");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1, ["--hooks", Hooks], output,
            new Dictionary<string, string?> { [RecordingHooks.HookLogVariable] = hookLog, [RecordingHooks.ThrowInPostForkVariable] = "1" });
        int worker = Assert.Single(server.WorkerPids());

        using (var client = await ThriftClients.TestServiceAsync(port))
            Assert.Equal(3, await client.add(1, 2));

        await server.WaitForLogAsync(new System.Text.RegularExpressions.Regex("Hook post_fork raised an exception; carrying on"), TimeSpan.FromSeconds(20));
        Assert.Contains(server.Log.Snapshot(), line => line.Contains("post_fork failed on purpose", StringComparison.Ordinal));
        Assert.Equal([worker], server.WorkerPids());
        Assert.False(server.HasExited, server.Describe());
        Assert.Equal(0, await server.StopAsync());
        Assert.DoesNotContain(server.Log.Snapshot(), line => line.Contains("failed to boot", StringComparison.Ordinal));
        var entries = Read(hookLog);
        Assert.Single(entries, e => e.Hook == "post_fork" && e.Pid == worker);
        Assert.Single(entries, e => e.Hook == "post_worker_init" && e.Pid == worker);
    }

    [Fact]
    public async Task Hup_FiresOnReloadOnceInTheMaster_AndHooksForEveryOldAndNewWorker()
    {
        using var dir = new TestDirectory("hooks-hup");
        string hookLog = dir.File("hooks.log");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2, ["--hooks", Hooks], output,
            new Dictionary<string, string?> { [RecordingHooks.HookLogVariable] = hookLog });
        int master = server.MasterPid;
        var old = server.WorkerPids();

        Assert.True(server.Signal(UnixSignal.Hup));
        await server.WaitForWorkerCountAsync(2, TunicornServer.BootTimeout, pids => !pids.Intersect(old).Any(), "new workers after HUP");
        Assert.Equal(0, await server.StopAsync());

        var entries = Read(hookLog);
        output.WriteLine($"[test] hook log:{Environment.NewLine}{Dump(hookLog)}");
        var reload = Assert.Single(entries, e => e.Hook == "on_reload");
        Assert.Equal(master, reload.Pid);

        var workers = entries.Where(e => e.Hook == "post_fork").Select(e => e.Pid).ToHashSet();
        Assert.Equal(4, workers.Count);
        Assert.Superset(old.ToHashSet(), workers);
        Assert.Equal(4, entries.Count(e => e.Hook == "pre_fork" && e.Pid == master));
        Assert.Equal(workers.Order(), entries.Where(e => e.Hook == "child_exit" && e.Pid == master).Select(e => int.Parse(e.Extra, CultureInfo.InvariantCulture)).Order());
        // Old workers are stopped gracefully on HUP, new ones on TERM: every worker gets worker_term and worker_exit once.
        foreach (string hook in new[] { "post_worker_init", "worker_term", "worker_exit" })
            Assert.Equal(workers.Order(), entries.Where(e => e.Hook == hook).Select(e => e.Pid).Order());
        // Old workers are told to stop only after the reload began.
        int reloadAt = IndexOf(entries, e => e.Hook == "on_reload");
        Assert.All(old, pid => Assert.True(IndexOf(entries, e => e.Hook == "worker_term" && e.Pid == pid) > reloadAt));
    }

    private static IReadOnlyList<HookEntry> Read(string path) => HookEntry.ReadAll(path);

    private static string Dump(string path) => string.Join(Environment.NewLine, Read(path));

    private static int IndexOf(IReadOnlyList<HookEntry> entries, Func<HookEntry, bool> predicate)
    {
        for (int i = 0; i < entries.Count; i++)
        {
            if (predicate(entries[i]))
                return i;
        }
        return -1;
    }
}
