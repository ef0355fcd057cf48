namespace Tunicorn.Config;

/// <summary>Settings of the worker processes: how many, of which class, and when they are recycled or killed.</summary>
internal static class WorkerSettings
{
    public static readonly Setting<int> Workers = new("workers", SettingSection.Worker)
    {
        Flags = ["-w", "--workers"],
        MetaVar = "INT",
        // Same default as gunicorn: one process unless told otherwise.
        Default = 1,
        Validator = Validators.PositiveInt,
        Description = """
            The number of worker processes.
            A good start is one or two per core. TTIN and TTOU add and remove one at run time.
            """,
    };

    public static readonly Setting<WorkerClass> WorkerClass = new("worker_class", SettingSection.Worker)
    {
        Flags = ["-k", "--worker-class"],
        MetaVar = "CLASS",
        Default = Config.WorkerClass.Async,
        Validator = Validators.Choice<WorkerClass>(
            ["sync", "threaded", "async"], [Config.WorkerClass.Sync, Config.WorkerClass.Threaded, Config.WorkerClass.Async],
            // gunicorn_thrift's worker names, so its configs keep working.
            [new("thrift_sync", "sync"), new("thrift_gevent", "async")]),
        Description = """
            The worker class: sync, threaded or async.
            Every class holds up to worker_connections connections per worker and waits for their calls without a
            thread each, so a pool of persistent clients is served whole; the classes differ in how many calls run
            at once and in what a handler that blocks does:
            | class | calls at once per worker | connections per worker | a handler that blocks |
            | --- | --- | --- | --- |
            | sync | 1: a handler never runs concurrently with itself in one worker | up to worker_connections | blocks its worker: that worker's other connections wait, other workers go on |
            | threaded | up to threads | up to worker_connections; an idle one costs no thread | holds one of the threads turns (and its thread: the loop adds one within 5 ms); the other calls go on |
            | async | as many as arrive, on async/await | up to worker_connections | holds a loop thread until the loop adds another (after 50 ms) |
            In sync and threaded, a call waits for its turn once its first bytes arrive (with a turn free it runs at
            once, on the loop thread that saw it, as in async): connections with a call waiting get their turns
            oldest first, so one that always has a call ready cannot keep another waiting
            for more than one round. gunicorn_thrift's names are accepted: thrift_sync means sync and
            thrift_gevent means async.
            """,
    };

    public static readonly Setting<int> Threads = new("threads", SettingSection.Worker)
    {
        Flags = ["--threads"],
        MetaVar = "INT",
        // Same default as gunicorn.
        Default = 1,
        Validator = Validators.PositiveInt,
        Description = """
            The most calls one threaded worker runs at once.
            Connections are not bound to threads: an idle one costs none (see worker_connections). Only the threaded
            worker class uses it.
            """,
    };

    public static readonly Setting<int> WorkerConnections = new("worker_connections", SettingSection.Worker)
    {
        Flags = ["--worker-connections"],
        MetaVar = "INT",
        // Same default as gunicorn.
        Default = 1000,
        Validator = Validators.PositiveInt,
        Description = """
            The most connections one worker serves at once, in every worker class.
            Connections past this wait in the listen queue. sync and threaded hold them all and run their calls in
            turn (one at a time, or up to threads at once).
            """,
    };

    /// <summary>Calls after which a worker restarts gracefully; 0 never.</summary>
    public static readonly Setting<int> MaxRequests = new("max_requests", SettingSection.Worker)
    {
        Flags = ["--max-requests"],
        MetaVar = "INT",
        // Same default as gunicorn: never recycle.
        Default = 0,
        Validator = Validators.NonNegativeInt,
        Description = """
            Restart a worker gracefully after it has served this many calls; 0 never does.
            A simple bound on memory leaks in handlers.
            """,
    };

    public static readonly Setting<int> MaxRequestsJitter = new("max_requests_jitter", SettingSection.Worker)
    {
        Flags = ["--max-requests-jitter"],
        MetaVar = "INT",
        Default = 0,
        Validator = Validators.NonNegativeInt,
        Description = """
            Add a random 0 to this many calls to max_requests, drawn once per worker.
            Keeps workers started together from all restarting at the same time.
            """,
    };

    /// <summary>Seconds without a heartbeat (or in one call) before a worker is killed; 0 disables.</summary>
    public static readonly Setting<double> Timeout = new("timeout", SettingSection.Worker)
    {
        Flags = ["-t", "--timeout"],
        MetaVar = "SECONDS",
        // Same default as gunicorn.
        Default = 30,
        Validator = Validators.Seconds,
        Description = """
            Kill and replace a worker that has sent no heartbeat for this many seconds; 0 disables.
            The worker first gets SIGABRT (so it can report where it was stuck), then SIGKILL.
            """,
    };

    public static readonly Setting<double> GracefulTimeout = new("graceful_timeout", SettingSection.Worker)
    {
        Flags = ["--graceful-timeout"],
        MetaVar = "SECONDS",
        // Same default as gunicorn.
        Default = 30,
        Validator = Validators.Seconds,
        Description = """
            Seconds a stopping worker may finish its calls in flight before it is killed.
            Used by TERM, HUP, TTOU and max_requests restarts.
            """,
    };

    /// <summary>MiB of private memory past which the master replaces a worker, spawn-first; 0 never.</summary>
    public static readonly Setting<int> MaxWorkerMemory = new("max_worker_memory", SettingSection.Worker)
    {
        Flags = ["--max-worker-memory"],
        MetaVar = "MIB",
        Default = 0,
        Validator = Validators.NonNegativeInt,
        Description = """
            Replace a worker whose private memory exceeds this many MiB; 0 never does.
            The master reads each worker's private memory (Private_Clean + Private_Dirty of /proc/PID/smaps_rollup:
            what the worker alone holds, not the pages it shares) every 2 seconds. A worker over the limit is replaced
            spawn-first: its replacement starts, and once it accepts, the old worker retires gracefully and its
            connections move to the live workers (handoff). A bound on leaks that grow faster than max_requests recycles.
            """,
    };

    /// <summary>Seconds after which the master replaces a worker, spawn-first; 0 never.</summary>
    public static readonly Setting<double> MaxWorkerLifetime = new("max_worker_lifetime", SettingSection.Worker)
    {
        Flags = ["--max-worker-lifetime"],
        MetaVar = "SECONDS",
        Default = 0,
        Validator = Validators.Seconds,
        Description = """
            Replace a worker once it has run this many seconds (plus a jitter); 0 never does.
            The jitter, a random 0 to 10 % drawn once per worker, keeps workers started together from being replaced together. The replacement is spawn-first,
            as for max_worker_memory.
            """,
    };

    /// <summary>How a HUP replaces the workers: all at once once the new ones accept, or a few at a time.</summary>
    public static readonly Setting<ReloadStrategy> ReloadStrategy = new("reload_strategy", SettingSection.Worker)
    {
        Flags = ["--reload-strategy"],
        MetaVar = "STRATEGY",
        Default = Config.ReloadStrategy.Generation,
        Validator = Validators.Choice<ReloadStrategy>(
            ["generation", "rolling"], [Config.ReloadStrategy.Generation, Config.ReloadStrategy.Rolling]),
        Description = """
            How a HUP replaces the workers: generation or rolling.
            generation starts all the new workers next to the old ones; once every new one accepts, the old ones
            retire together. rolling replaces max_surge workers at a time: new ones start, and as each accepts, an old
            one retires (its connections move, see handoff), until no old worker is left; the server never runs more
            than workers + max_surge processes, nor has fewer than workers accepting. With rolling, a new worker that
            fails to boot stops the rollout: the old workers left and the new ones already up keep serving, and the
            next HUP starts it over. The settings and the app are loaded at the HUP in both cases: a config or app that
            does not load keeps the old workers.
            """,
    };

    /// <summary>How many new workers a rolling reload starts at a time.</summary>
    public static readonly Setting<int> MaxSurge = new("max_surge", SettingSection.Worker)
    {
        Flags = ["--max-surge"],
        MetaVar = "INT",
        Default = 1,
        Validator = Validators.PositiveInt,
        Description = """
            How many new workers a rolling reload (reload_strategy rolling) starts at a time, at least 1.
            Each step starts this many, waits until they accept, then retires as many old ones.
            """,
    };

    /// <summary>Whether a retiring worker hands its plain connections to a live worker instead of closing them.</summary>
    public static readonly Setting<bool> Handoff = new("handoff", SettingSection.Worker)
    {
        // Config file only: a command-line flag can only turn a setting on, and this one is on by default.
        Flags = [],
        Default = true,
        Validator = Validators.Boolean,
        Description = """
            Hand the connections of a retiring worker to a live one: true or false.
            When a worker retires gracefully (HUP, TTOU, max_requests), each of its plain connections moves, between
            two calls, to the live worker with the fewest connections (the descriptor passes through the master), and
            the client notices nothing. A connection that cannot move (TLS, bytes of its next call already read, no
            worker with room) stays with the retiring worker until the client closes it or graceful_timeout ends.
            When the whole server stops, connections close between calls as with false. With false, a retiring
            worker closes each connection between calls, and persistent clients must reconnect.
            """,
    };

    /// <summary>How each worker's runtime tiers its JIT code up: quick (no PGO, early tier-up) or the runtime's own pgo.</summary>
    public static readonly Setting<WorkerTiering> WorkerTiering = new("worker_tiering", SettingSection.Worker)
    {
        Flags = ["--worker-tiering"],
        MetaVar = "MODE",
        // Measured interleaved, a fresh 2-worker server under 64 connections of add(1,2) (bench/results/2026-12-07-2251.md):
        // quick reached 90 % of its steady calls/s after 0.8-1.0 s against 2.1-2.2 s, with the same first call, and
        // about 5 % fewer calls per CPU-second once warm (bench/PROFILE.md, 6a).
        Default = Config.WorkerTiering.Quick,
        Validator = Validators.Choice<WorkerTiering>(["quick", "pgo"], [Config.WorkerTiering.Quick, Config.WorkerTiering.Pgo]),
        Description = """
            How each worker's runtime recompiles its hot code: quick or pgo.
            quick (the default) starts workers with DOTNET_TieredPGO=0 and DOTNET_TC_CallCountingDelayMs=20 (hexadecimal:
            32 ms): hot code is recompiled once, soon after start-up, and a new worker reaches its full rate in about a
            second instead of two. pgo leaves the runtime's defaults: hot code runs instrumented first, then is
            recompiled with what the profile saw, which gives a few per cent more calls per CPU-second once warm.
            Choose pgo for long-lived workers under steady load, quick where workers are often replaced (reloads,
            max_requests, max_worker_lifetime). A DOTNET_TieredPGO or DOTNET_TC_CallCountingDelayMs in the master's
            environment or in raw_env wins over this setting.
            """,
    };

    /// <summary>Bytes of gen0 budget for each worker's GC (DOTNET_GCgen0size); 0 the runtime's default.</summary>
    public static readonly Setting<int> WorkerGen0Budget = new("worker_gen0_budget", SettingSection.Worker)
    {
        Flags = ["--worker-gen0-budget"],
        MetaVar = "BYTES",
        // Measured under 64 connections of add(1,2): a worker's heap holds about 1 MB after a collection, yet the
        // runtime's own budget, sized from the CPU cache, let each worker commit 17 MB before collecting; with 1 MiB the
        // workers' PSS fell by a third (NativeAOT: by half) at the same calls/s (bench/results/2026-11-27-1102.md).
        Default = 1048576,
        Validator = Validators.Gen0Budget,
        Description = """
            The .NET GC's gen0 budget of each worker, in bytes: how much a worker allocates between collections.
            The master starts workers with DOTNET_GCgen0size set to it. A small budget keeps a worker's memory
            close to what it holds; raise it for handlers that allocate a lot per call. 0 leaves the runtime's
            default. A DOTNET_GCgen0size in the master's environment or in raw_env wins over this setting.
            """,
    };
}
