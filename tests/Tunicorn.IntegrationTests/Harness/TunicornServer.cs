using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>
/// A running <c>tunicorn</c> master started from the built CLI, with its log (stderr) captured line by line.
/// Workers are found as the master's direct children in /proc. Every signal goes to one pid; disposing stops the
/// master (TERM, then KILL) and kills any worker it left behind, each by pid and only if it is still the same
/// process (pid + start time), then writes the server log to the test output.
/// </summary>
internal sealed class TunicornServer : IAsyncDisposable
{
    /// <summary>How long starting a master and its workers may take on a busy 2-core machine.</summary>
    public static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(20);

    private readonly ManagedProcess master;
    private readonly ITestOutputHelper? output;
    private readonly Dictionary<int, ulong> seenWorkers = [];
    private readonly Lock seenGate = new();

    private TunicornServer(ManagedProcess master, ITestOutputHelper? output)
    {
        this.master = master;
        this.output = output;
    }

    public int MasterPid => master.Pid;

    /// <summary>The master's stderr, where every process of the server logs.</summary>
    public LogBuffer Log => master.Stderr;

    public LogBuffer Stdout => master.Stdout;

    /// <summary>Where the log ends now: pass it as <c>from</c> to wait only for lines logged after this point.</summary>
    public int LogMark => Log.Count;

    public bool HasExited => master.HasExited;

    public int ExitCode => master.ExitCode;

    /// <summary>Starts <c>tunicorn ARGS...</c>; returns at once (see <see cref="WaitForReadyAsync"/>).</summary>
    public static TunicornServer Start(IEnumerable<string> arguments, ITestOutputHelper? output = null,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        return StartExecutable(RepoPaths.Cli, arguments, output, environment, workingDirectory);
    }

    /// <summary>Starts a master from another executable: an embedded program that runs the Tunicorn host itself.</summary>
    public static TunicornServer StartExecutable(string executable, IEnumerable<string> arguments, ITestOutputHelper? output = null,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        if (!File.Exists(executable))
            throw new FileNotFoundException($"{executable} is not built (dotnet build Tunicorn.slnx -c Release).", executable);
        return new TunicornServer(ManagedProcess.Start(executable, arguments, environment, workingDirectory), output);
    }

    /// <summary>Starts <c>tunicorn APP -b 127.0.0.1:PORT -w WORKERS ARGS...</c> and waits until every worker booted.</summary>
    public static async Task<TunicornServer> StartAsync(string app, int port, int workers, IEnumerable<string>? arguments = null,
        ITestOutputHelper? output = null, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        string[] all = [app, "-b", $"127.0.0.1:{port}", "-w", workers.ToString(CultureInfo.InvariantCulture), .. arguments ?? []];
        var server = Start(all, output, environment, workingDirectory);
        try
        {
            await server.WaitForReadyAsync(workers).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits for the <c>Listening at</c> line(s) and for exactly <paramref name="workers"/> booted workers.</summary>
    public async Task<IReadOnlyList<int>> WaitForReadyAsync(int workers, TimeSpan? timeout = null)
    {
        var deadline = timeout ?? BootTimeout;
        var listening = await WaitForLogAsync(LogPatterns.ListeningAt, deadline).ConfigureAwait(false);
        int loggedPid = int.Parse(listening.Groups["pid"].Value, CultureInfo.InvariantCulture);
        if (loggedPid != MasterPid)
            throw new InvalidOperationException($"'Listening at' names pid {loggedPid}, but the master started is {MasterPid}.{Environment.NewLine}{Log.Tail()}");
        return await WaitForWorkerCountAsync(workers, deadline).ConfigureAwait(false);
    }

    /// <summary>Waits for a log line matching <paramref name="pattern"/> at or after line <paramref name="from"/>.</summary>
    public Task<Match> WaitForLogAsync(Regex pattern, TimeSpan timeout, int from = 0) =>
        master.WaitForStderrAsync(pattern, timeout, from);

    /// <summary>The master's live direct children, by pid, as /proc shows them now.</summary>
    public IReadOnlyList<int> WorkerPids()
    {
        var children = ProcessTable.ChildrenOf(MasterPid);
        lock (seenGate)
        {
            foreach (var child in children)
                seenWorkers[child.Pid] = child.StartTime;
        }
        return children.Select(c => c.Pid).ToArray();
    }

    /// <summary>Pids that logged <c>Worker booted</c>.</summary>
    public IReadOnlySet<int> BootedPids() =>
        Log.Matches(LogPatterns.WorkerBooted).Select(m => int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture)).ToHashSet();

    /// <summary>Pids that logged <c>Booting worker</c> (every worker the master started, alive or not).</summary>
    public IReadOnlySet<int> BootingPids() =>
        Log.Matches(LogPatterns.BootingWorker).Select(m => int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture)).ToHashSet();

    /// <summary>Every <c>Worker exiting</c> line so far.</summary>
    public IReadOnlyList<WorkerExit> WorkerExits() => Log.Matches(LogPatterns.WorkerExiting).Select(WorkerExit.FromMatch).ToArray();

    /// <summary>
    /// Waits until the master has exactly <paramref name="count"/> children, each of which logged
    /// <c>Worker booted</c> (so each accepts connections), and, when given, <paramref name="also"/> holds of them.
    /// </summary>
    public async Task<IReadOnlyList<int>> WaitForWorkerCountAsync(int count, TimeSpan timeout, Func<IReadOnlyList<int>, bool>? also = null,
        string? description = null)
    {
        IReadOnlyList<int> pids = [];
        await Eventually.WaitUntilAsync(
            () =>
            {
                if (master.HasExited)
                    throw new InvalidOperationException($"the master exited with {master.ExitCode} while waiting for {count} workers{Environment.NewLine}{Describe()}");
                pids = WorkerPids();
                if (pids.Count != count)
                    return false;
                var booted = BootedPids();
                return pids.All(booted.Contains) && (also is null || also(pids));
            },
            timeout,
            $"{count} booted workers{(description is null ? "" : ", " + description)} (now: {string.Join(", ", pids)})",
            Describe).ConfigureAwait(false);
        return pids;
    }

    /// <summary>Sends a signal to the master (by pid).</summary>
    public bool Signal(UnixSignal signal) => master.Signal(signal);

    /// <summary>Sends <paramref name="signal"/> to the master and waits for its "Handling signal" line.</summary>
    public async Task SignalAndWaitUntilHandledAsync(UnixSignal signal)
    {
        int mark = LogMark;
        if (!Signal(signal))
            throw new InvalidOperationException($"the master {MasterPid} is gone: no {signal} sent");
        await WaitForLogAsync(LogPatterns.HandlingSignal(signal), TimeSpan.FromSeconds(10), mark).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for the master to exit and for the end of its log (briefly: orphaned workers would hold the pipe);
    /// returns its exit code. Without the drain, a reason logged just before exit may not be read yet.
    /// </summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => master.WaitForExitAsync(timeout, drainOutput: true);

    /// <summary>
    /// Stops the server: TERM to the master, up to <paramref name="grace"/> for it to exit, then KILL; then KILL
    /// any worker still alive. Returns the master's exit code.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan? grace = null)
    {
        _ = WorkerPids(); // remember the current workers' start times before they are orphaned
        if (!master.HasExited)
        {
            master.Signal(UnixSignal.Term);
            try
            {
                await master.WaitForExitAsync(grace ?? TimeSpan.FromSeconds(15), drainOutput: false).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                output?.WriteLine($"[harness] master {MasterPid} did not exit on TERM; sending KILL");
                master.Signal(UnixSignal.Kill);
                await master.WaitForExitAsync(TimeSpan.FromSeconds(10), drainOutput: false).ConfigureAwait(false);
            }
        }
        KillLeftoverWorkers();
        return master.ExitCode;
    }

    /// <summary>Workers seen alive at some point that still run (same pid and start time): the master left them behind.</summary>
    public IReadOnlyList<int> LeftoverWorkers()
    {
        lock (seenGate)
            return seenWorkers.Where(w => ProcessTable.IsAlive(w.Key, w.Value)).Select(w => w.Key).ToArray();
    }

    private void KillLeftoverWorkers()
    {
        foreach (int pid in LeftoverWorkers())
        {
            output?.WriteLine($"[harness] killing leftover worker {pid}");
            Posix.Kill(pid, UnixSignal.Kill);
        }
    }

    public string Describe() =>
        $"master {MasterPid} ({(master.HasExited ? "exited " + master.ExitCode : "running")}), children now: [{string.Join(", ", ProcessTable.ChildrenOf(MasterPid).Select(c => c.Pid))}]{Environment.NewLine}{Log.Tail()}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            KillLeftoverWorkers();
            await master.DisposeAsync().ConfigureAwait(false);
            if (output is not null)
            {
                var lines = Log.Snapshot();
                output.WriteLine($"[harness] tunicorn master {MasterPid}: {lines.Count} log lines");
                foreach (string line in lines.Skip(Math.Max(0, lines.Count - 400)))
                    output.WriteLine(line);
            }
        }
    }
}
