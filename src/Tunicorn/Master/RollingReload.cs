using Microsoft.Extensions.Logging;

namespace Tunicorn.Master;

/// <summary>
/// A rolling reload (reload_strategy rolling): the pending generation of <see cref="ReloadState"/> gets max_surge
/// workers at a time, and as each of them accepts, one old worker retires, until none is left and the arbiter commits.
/// A rollout that stops (a new worker failed to boot) leaves its booted new workers serving next to the old ones:
/// their generation is "stranded" (neither serving nor pending) and counts towards the worker target until the next
/// reload commits and retires them with the rest.
/// </summary>
/// <remarks>
/// The arbiter keeps doing the spawning (<see cref="NewTarget"/> is the pending generation's target) and the serving
/// generation's upkeep (<see cref="ServingTarget"/> shrinks as new workers accept); this type only decides the counts
/// and which old workers retire. It runs on the arbiter loop only.
/// </remarks>
internal sealed partial class RollingReload(ILogger log)
{
    /// <summary>Generations of stopped rollouts whose booted workers keep serving.</summary>
    private readonly HashSet<int> _stranded = [];
    private int _surge;
    private int _total;

    /// <summary>The generation rolling out, or null when no rolling reload is in progress.</summary>
    public int? Generation { get; private set; }

    /// <summary>How many workers of the rolling generation may run now: the steps begun so far times max_surge.</summary>
    public int NewTarget { get; private set; }

    public bool Active => Generation is not null;

    /// <summary>Generations of stopped rollouts whose booted workers keep serving, until the next reload commits.</summary>
    public IReadOnlyCollection<int> Stranded => _stranded;

    public void Start(int generation, int total, int surge)
    {
        Generation = generation;
        _total = total;
        _surge = Math.Max(1, surge);
        NewTarget = Math.Min(_total, _surge);
        RolloutStep(log, generation, NewTarget, _total);
    }

    /// <summary>
    /// One pass of the rollout: retires an old worker for each new one that accepts (the oldest first), and begins the
    /// next step once every worker of this one accepts. Returns true when a step began (its boot allowance starts).
    /// </summary>
    /// <param name="target">The worker target: at least this many accept throughout, old and new together.</param>
    public bool Advance(IEnumerable<WorkerProcess> workers, int target, Action<WorkerProcess> retire)
    {
        if (Generation is not int generation)
            return false;
        int fresh = 0, booted = 0;
        var old = new List<WorkerProcess>();
        foreach (var w in workers)
        {
            if (w.Retiring || w.ReplaceReason is not null)
                continue;
            if (w.Generation == generation)
            {
                fresh++;
                if (w.Booted)
                    booted++;
            }
            else
                old.Add(w);
        }
        int keepOld = Math.Max(0, target - booted);
        if (old.Count > keepOld)
        {
            foreach (var w in old.OrderBy(w => w.Age).Take(old.Count - keepOld))
            {
                OldWorkerRetiring(log, w.Pid, generation, booted, _total);
                retire(w);
            }
        }
        if (booted < NewTarget || fresh < NewTarget || NewTarget >= _total)
            return false;
        NewTarget = Math.Min(_total, NewTarget + _surge);
        RolloutStep(log, generation, NewTarget, _total);
        return true;
    }

    /// <summary>
    /// How many workers the serving generation keeps: the target less the new workers that accept (during a rollout)
    /// and less the stranded workers of a stopped one. Without either, the target itself, counted without a pass over
    /// the workers (the arbiter calls this on every pass).
    /// </summary>
    public int ServingTarget(IEnumerable<WorkerProcess> workers, int serving, int target)
    {
        if (Generation is null && _stranded.Count == 0)
            return target;
        int others = 0;
        foreach (var w in workers)
        {
            if (w.Retiring || w.ReplaceReason is not null || w.Generation == serving)
                continue;
            if (w.Generation == Generation)
            {
                if (w.Booted)
                    others++;
            }
            else if (_stranded.Contains(w.Generation))
                others++;
        }
        return Math.Max(0, target - others);
    }

    /// <summary>
    /// Spawn-first for stranded workers that asked to be replaced (max_requests): <see cref="ServingTarget"/> no longer
    /// counts them, so the serving generation starts their replacements; once it has as many booted workers as it keeps,
    /// they retire. Nothing to do, and no pass over the workers, without a stranded generation.
    /// </summary>
    public void RetireReplacedStranded(IEnumerable<WorkerProcess> workers, int serving, int servingTarget, Action<WorkerProcess> retire)
    {
        if (_stranded.Count == 0)
            return;
        int booted = 0;
        List<WorkerProcess>? replaced = null;
        foreach (var w in workers)
        {
            if (w.Retiring)
                continue;
            if (w.Generation == serving && w.ReplaceReason is null && w.Booted)
                booted++;
            else if (w.ReplaceReason is not null && _stranded.Contains(w.Generation))
                (replaced ??= []).Add(w);
        }
        if (replaced is null || booted < servingTarget)
            return;
        foreach (var w in replaced)
            retire(w);
    }

    /// <summary>The rollout stopped: its booted workers keep serving (the arbiter retires those not booted).</summary>
    /// <returns>Whether <paramref name="generation"/> was rolling out.</returns>
    public bool Stop(int generation)
    {
        if (Generation != generation)
            return false;
        _stranded.Add(generation);
        Generation = null;
        return true;
    }

    /// <summary>A reload committed: it retired every other generation, stranded ones included.</summary>
    public void Committed()
    {
        Generation = null;
        _stranded.Clear();
    }

    [LoggerMessage(EventId = 1016, Level = LogLevel.Information, Message = "Rolling reload (generation {Generation}): up to {Count} of {Total} new workers may run now; an old worker retires as each accepts")]
    private static partial void RolloutStep(ILogger logger, int generation, int count, int total);

    [LoggerMessage(EventId = 1017, Level = LogLevel.Information, Message = "Rolling reload (generation {Generation}): {Booted} of {Total} new workers accept; old worker {Pid} retires gracefully")]
    private static partial void OldWorkerRetiring(ILogger logger, int pid, int generation, int booted, int total);
}
