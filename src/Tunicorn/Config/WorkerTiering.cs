namespace Tunicorn.Config;

/// <summary>How the runtime of each worker tiers its JIT code up (worker_tiering).</summary>
public enum WorkerTiering
{
    /// <summary>
    /// No profile-guided tier, and tier-up begins soon after start-up code stops being compiled: a new worker
    /// reaches its steady rate in about 1 s instead of 2, at a few per cent fewer calls per CPU-second once warm.
    /// </summary>
    Quick,

    /// <summary>The runtime's own defaults: hot code is instrumented, then recompiled with what the profile saw.</summary>
    Pgo,
}
