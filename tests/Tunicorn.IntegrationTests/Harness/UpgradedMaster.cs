using System.Globalization;
using System.Text.RegularExpressions;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>
/// The new master a binary upgrade (USR2) started: a child of the test's master, logging into the same stderr. Found by
/// its log line; its workers are its own children. Disposing stops it (TERM, then KILL) and kills any worker it left,
/// each by pid and only if it is still the same process.
/// </summary>
internal sealed class UpgradedMaster : IAsyncDisposable
{
    public static readonly Regex Started = new(@"started new master \(pid: (?<pid>\d+)\)", RegexOptions.CultureInvariant);

    private readonly TunicornServer _old;
    private readonly ulong _startTime;
    private readonly Dictionary<int, ulong> _seenWorkers = [];

    private UpgradedMaster(TunicornServer old, int pid, ulong startTime)
    {
        _old = old;
        Pid = pid;
        _startTime = startTime;
    }

    public int Pid { get; }

    public bool IsAlive => ProcessTable.IsAlive(Pid, _startTime);

    /// <summary>Waits for the old master's "started new master" line at or after <paramref name="from"/>.</summary>
    public static async Task<UpgradedMaster> FoundAsync(TunicornServer old, int from, TimeSpan timeout)
    {
        var match = await old.WaitForLogAsync(Started, timeout, from).ConfigureAwait(false);
        int pid = int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture);
        var entry = ProcessTable.Read(pid);
        return new UpgradedMaster(old, pid, entry?.StartTime ?? 0);
    }

    /// <summary>The new master's live children (its workers), remembered for cleanup.</summary>
    public IReadOnlyList<int> WorkerPids()
    {
        var children = ProcessTable.ChildrenOf(Pid);
        foreach (var child in children)
            _seenWorkers[child.Pid] = child.StartTime;
        return children.Select(c => c.Pid).ToArray();
    }

    /// <summary>Waits until the new master has <paramref name="count"/> children, each of which logged <c>Worker booted</c>.</summary>
    public async Task<IReadOnlyList<int>> WaitForWorkersAsync(int count, TimeSpan timeout)
    {
        IReadOnlyList<int> pids = [];
        await Eventually.WaitUntilAsync(() =>
        {
            if (!IsAlive)
                throw new InvalidOperationException($"the new master {Pid} exited while waiting for its workers{Environment.NewLine}{_old.Log.Tail()}");
            pids = WorkerPids();
            var booted = _old.BootedPids();
            return pids.Count == count && pids.All(booted.Contains);
        }, timeout, $"{count} booted workers of the new master {Pid} (now: {string.Join(", ", pids)})", _old.Describe).ConfigureAwait(false);
        return pids;
    }

    public bool Signal(UnixSignal signal) => IsAlive && Posix.Kill(Pid, signal);

    public Task WaitForExitAsync(TimeSpan timeout) =>
        Eventually.WaitUntilAsync(() => !IsAlive, timeout, $"the new master {Pid} exited", _old.Describe);

    public async ValueTask DisposeAsync()
    {
        _ = WorkerPids();
        if (Signal(UnixSignal.Term))
        {
            try
            {
                await WaitForExitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Signal(UnixSignal.Kill);
            }
        }
        foreach (var (pid, start) in _seenWorkers)
        {
            if (ProcessTable.IsAlive(pid, start))
                Posix.Kill(pid, UnixSignal.Kill);
        }
    }
}
