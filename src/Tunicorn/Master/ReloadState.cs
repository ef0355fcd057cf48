using Tunicorn.Hooks;

namespace Tunicorn.Master;

/// <summary>
/// The HUP state machine: which generation serves, and at most one reload pending. <see cref="Begin"/> takes the next
/// generation number, <see cref="Advance"/> says whether the pending generation is ready to take over (all its workers
/// booted), still booting, or out of time; <see cref="Commit"/> and <see cref="Abandon"/> end it. The arbiter does
/// what each step means for processes and listeners.
/// </summary>
internal sealed class ReloadState(TimeProvider time)
{
    /// <summary>
    /// The one generation counter: each reload begun takes the next number, abandoned ones included, so that the
    /// retiring workers of an abandoned generation are never counted as a later generation's.
    /// </summary>
    private int _lastBegun;

    public enum Step
    {
        /// <summary>No reload pending, or its workers are still booting within their allowance.</summary>
        Waiting,
        /// <summary>Every worker of the pending generation booted: commit it.</summary>
        Ready,
        /// <summary>Its workers did not all boot within the allowance: abandon it.</summary>
        Expired,
    }

    /// <summary>The generation whose workers serve (0 until the first reload commits).</summary>
    public int Serving { get; private set; }

    public PendingReload? Pending { get; private set; }

    /// <param name="allowance">How long the new workers may take to boot before the reload is given up.</param>
    public PendingReload Begin(ServerGeneration next, HookRunner hooks, ListenerSet listeners, TimeSpan allowance)
    {
        if (Pending is { } pending)
            throw new InvalidOperationException($"reload to generation {pending.Generation} is still in progress");
        Pending = new PendingReload(++_lastBegun, next, hooks, listeners, time.GetTimestamp(), allowance);
        return Pending;
    }

    /// <param name="workers">Every worker the arbiter holds; those of the pending generation that are not retiring count.</param>
    public Step Advance(IEnumerable<WorkerProcess> workers)
    {
        if (Pending is not { } pending)
            return Step.Waiting;
        int fresh = 0, booted = 0;
        foreach (var w in workers)
        {
            if (w.Generation != pending.Generation || w.Retiring)
                continue;
            fresh++;
            if (w.Booted)
                booted++;
        }
        if (fresh >= pending.Next.Settings.Workers && booted == fresh)
            return Step.Ready;
        return time.GetElapsedTime(pending.BegunAt) > pending.Allowance ? Step.Expired : Step.Waiting;
    }

    /// <summary>Gives the pending reload its boot allowance anew: a rolling reload's allowance is for each of its steps.</summary>
    public void RestartClock()
    {
        if (Pending is { } pending)
            Pending = pending with { BegunAt = time.GetTimestamp() };
    }

    /// <summary>The pending generation serves from now on; returns it.</summary>
    public PendingReload Commit()
    {
        var pending = Pending ?? throw new InvalidOperationException("no reload to commit");
        Serving = pending.Generation;
        Pending = null;
        return pending;
    }

    /// <summary>Gives the pending reload up (the serving generation stays); returns it, or null when none was pending.</summary>
    public PendingReload? Abandon()
    {
        var pending = Pending;
        Pending = null;
        return pending;
    }
}
