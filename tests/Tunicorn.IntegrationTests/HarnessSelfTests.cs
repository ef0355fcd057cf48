using System.Net.Http;
using Tunicorn.IntegrationTests.Harness;
using Xunit;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// The harness's own pieces (process table, signals by pid, log waiting, free ports, log patterns), checked
/// against plain Python processes, so that a failing server test points at the server rather than the harness.
/// </summary>
public sealed class HarnessSelfTests
{
    // A parent that starts two `python3 -m http.server` children on the given ports, prints their pids on stderr,
    // and waits; TERM makes it stop its children and exit 0.
    private const string ParentScript = """
        import signal, subprocess, sys
        ports = sys.argv[1:]
        children = [subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", p],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in ports]
        def stop(*_):
            for c in children:
                c.terminate()
            for c in children:
                c.wait()
            sys.exit(0)
        signal.signal(signal.SIGTERM, stop)
        print("children: " + " ".join(str(c.pid) for c in children), file=sys.stderr, flush=True)
        while True:
            signal.pause()
        """;

    [Fact]
    public async Task ProcessHelpers_FindChildrenInProc_SignalThemByPid_AndWaitForLogLines()
    {
        int[] ports = [FreePort.Next(), FreePort.Next()];
        Assert.NotEqual(ports[0], ports[1]);
        await using var parent = ManagedProcess.Start(PythonClient.Interpreter,
            ["-c", ParentScript, .. ports.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))]);

        var line = await parent.WaitForStderrAsync(new(@"children: (?<a>\d+) (?<b>\d+)"), TimeSpan.FromSeconds(10));
        int[] children = [int.Parse(line.Groups["a"].Value), int.Parse(line.Groups["b"].Value)];
        Assert.Equal(children.Order(), ProcessTable.ChildrenOf(parent.Pid).Select(c => c.Pid));
        Assert.All(children, pid => Assert.Equal(parent.Pid, ProcessTable.Read(pid)!.ParentPid));

        // The children really listen on the ports handed out.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.WaitUntilAsync(async () =>
        {
            try
            {
                return (await http.GetAsync($"http://127.0.0.1:{ports[0]}/")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(10), "the dummy child serves HTTP");

        // KILL one child by pid: it leaves the parent's live children (a zombie until reaped does not count).
        Assert.True(Posix.Kill(children[0], UnixSignal.Kill));
        await Eventually.WaitUntilAsync(() => !ProcessTable.ChildrenOf(parent.Pid).Any(c => c.Pid == children[0]),
            TimeSpan.FromSeconds(5), "the killed child is gone");
        Assert.Contains(children[1], ProcessTable.ChildrenOf(parent.Pid).Select(c => c.Pid));

        // TERM the parent: it stops its other child and exits 0.
        Assert.True(parent.Signal(UnixSignal.Term));
        Assert.Equal(0, await parent.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        await Eventually.WaitUntilAsync(() => !ProcessTable.IsAlive(children[1]), TimeSpan.FromSeconds(5), "the other child is gone");
        Assert.False(Posix.Kill(children[1], UnixSignal.Term) && ProcessTable.IsAlive(children[1]));
    }

    [Fact]
    public async Task WaitingForALine_FailsAtOnce_WhenTheProcessExitsWithoutIt()
    {
        await using var quitter = ManagedProcess.Start(PythonClient.Interpreter, ["-c", "import sys; print('bye', file=sys.stderr); sys.exit(3)"]);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => quitter.WaitForStderrAsync(new("never printed"), TimeSpan.FromSeconds(30)));
        Assert.Contains("exited with 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("bye", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eventually_ReportsWhatItWaitedFor_WhenTheDeadlinePasses()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(
            () => Eventually.WaitUntilAsync(() => false, TimeSpan.FromMilliseconds(100), "pigs fly", () => "sky: empty"));
        Assert.Contains("pigs fly", error.Message, StringComparison.Ordinal);
        Assert.Contains("sky: empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProcStatParser_HandlesCommandNamesWithSpacesAndParentheses()
    {
        var entry = ProcessTable.Parse("4242 (tuni (worker) 1) S 4000 4242 4000 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 0 0");
        Assert.Equal(new ProcessEntry(4242, 4000, 'S', 987654), entry);
        Assert.Equal(Environment.ProcessId, ProcessTable.Read(Environment.ProcessId)!.Pid);
    }

    [Fact]
    public void LogPatterns_MatchTheContractsLogLines()
    {
        const string prefix = "[2026-11-27 05:12:14 +0000] [4321] [INFO] ";
        var listening = LogPatterns.ListeningAt.Match(prefix + "Listening at: 127.0.0.1:9090 (4321)");
        Assert.Equal(("127.0.0.1:9090", "4321"), (listening.Groups["address"].Value, listening.Groups["pid"].Value));
        Assert.Equal("unix:/tmp/x.sock", LogPatterns.ListeningAt.Match(prefix + "Listening at: unix:/tmp/x.sock (4321)").Groups["address"].Value);
        Assert.Equal("77", LogPatterns.BootingWorker.Match(prefix + "Booting worker with pid: 77").Groups["pid"].Value);
        Assert.Equal("77", LogPatterns.WorkerBooted.Match(prefix + "Worker booted (pid: 77)").Groups["pid"].Value);
        Assert.Matches(LogPatterns.HandlingSignal(UnixSignal.Hup), prefix + "Handling signal: hup");
        Assert.DoesNotMatch(LogPatterns.HandlingSignal(UnixSignal.Term), prefix + "Handling signal: ttin");
        var timeout = LogPatterns.WorkerTimeout.Match("[2026-11-27 05:12:14 +0000] [4321] [CRITICAL] WORKER TIMEOUT (pid:77) call add ran 2.0 s");
        Assert.Equal("77", timeout.Groups["pid"].Value);
        Assert.Equal(" call add ran 2.0 s", timeout.Groups["reason"].Value);
        var exit = WorkerExit.FromMatch(LogPatterns.WorkerExiting.Match(prefix + "Worker exiting (pid: 77): calls read=12 answered=12"));
        Assert.Equal(new WorkerExit(77, 12, 12), exit);
        Assert.Matches(LogPatterns.ShuttingDownMaster, prefix + "Shutting down: Master");
        Assert.Matches(LogPatterns.ErrorLevel, "[2026-11-27 05:12:14 +0000] [4321] [ERROR] could not load app");
        Assert.Equal("INFO", LogPatterns.Prefix.Match(prefix + "x").Groups["level"].Value);
    }

    [Fact]
    public void HookLogParser_ReadsHookPidExtraAndDetail()
    {
        string path = Path.Combine(Path.GetTempPath(), $"tunicorn-it-hooks-{Guid.NewGuid():N}.log");
        try
        {
            File.WriteAllLines(path, ["on_starting 10 -", "post_request 11 add ok", "garbage", "nworkers_changed 10 3 2"]);
            Assert.Equal(
                [new HookEntry("on_starting", 10, "-", null), new HookEntry("post_request", 11, "add", "ok"), new HookEntry("nworkers_changed", 10, "3", "2")],
                HookEntry.ReadAll(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
