using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Tunicorn.Bench.LoadGen;

namespace Tunicorn.Bench.Runner;

/// <summary>
/// Everything one invocation measures, in order: the main table (each server at each connection count, add),
/// echo points, the connection spread over Tunicorn workers, and worker boot times. One server runs at a time,
/// on a free loopback port, and is stopped by pid before the next starts.
/// </summary>
public sealed partial class BenchRun(RunnerOptions options, TextWriter console, string workDir)
{
    private const string WorkerBootedLine = "Worker booted (pid:";
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(15);

    private readonly LoadGenClient _loadGen = new(options.Paths.LoadGen, options.LoadGenMode, options.CallTimeoutSeconds);
    private readonly StreamWriter _log = new(Path.Combine(workDir, "loadgen.log")) { AutoFlush = true };

    public List<PointResult> Main { get; } = [];
    public List<PointResult> Echo { get; } = [];
    public List<IdleResult> Idle { get; } = [];
    public List<SpreadResult> Spread { get; } = [];
    public List<BootResult> Boot { get; } = [];
    public List<RespawnResult> Respawn { get; } = [];
    public List<CurveResult> Curves { get; } = [];
    public List<RecycleResult> Recycle { get; } = [];
    public List<string> Notes { get; } = [];

    public ServerSpec Spec(string key) => key switch
    {
        "tunicorn-async" => ServerSpec.Tunicorn("async", options.Workers, options.Threads),
        "tunicorn-threaded" => ServerSpec.Tunicorn("threaded", options.Workers, options.Threads),
        "tunicorn-sync" => ServerSpec.Tunicorn("sync", options.Workers, options.Threads),
        "tunicorn-aot" => ServerSpec.TunicornAot(options.Workers),
        "csharp-threadpool" => ServerSpec.CSharpThreadPool(),
        "cpp-threaded" => ServerSpec.CppThreaded(),
        // One I/O thread per core, as many as Tunicorn has workers by default.
        "cpp-nonblocking" => ServerSpec.CppNonblocking(Environment.ProcessorCount),
        // As many processes as Tunicorn has workers.
        "floor" => ServerSpec.Floor(options.Workers),
        _ => throw new ArgumentException($"unknown server '{key}'"),
    };

    public async Task RunAsync()
    {
        if (options.Variants.Count > 0)
        {
            await RunVariantsAsync();
            return;
        }
        var servers = options.Servers.Select(Spec).Where(Supported).ToList();
        var main = new List<PointResult>();
        var echo = new List<PointResult>();
        var idle = new List<IdleResult>();
        // Whole rounds, each server started afresh and measured alone: noise from other work on the machine
        // then falls on every server alike, and the median round of each point is reported.
        for (int round = 0; round < options.Rounds; round++)
        {
            if (options.Rounds > 1)
                console.WriteLine($"round {round + 1} of {options.Rounds}");
            var order = servers.Skip(round % servers.Count).Concat(servers.Take(round % servers.Count)).ToList();
            foreach (var spec in order.Where(_ => options.Runs("main")))
            {
                await using var server = await StartAsync(spec, "calculator", null);
                idle.Add(IdleOf(server));
                await WarmUpAsync(server);
                foreach (int connections in options.Connections)
                    main.Add(await MeasureAsync(server, "add", 0, connections));
                await server.StopAsync(StopGrace);
            }
            foreach (var spec in order.Where(s => !s.CalculatorOnly && options.EchoSizes.Count > 0 && options.Runs("main")))
            {
                await using var server = await StartAsync(spec, "bench", null);
                await WarmUpAsync(server);
                foreach (int size in options.EchoSizes)
                    echo.Add(await MeasureAsync(server, "echo", size, options.EchoConnections));
                await server.StopAsync(StopGrace);
            }
            if (options.CurveSeconds > 0 && options.Runs("curve"))
                foreach (var spec in order.Where(s => CurveServers.Contains(s.Key)))
                    Curves.Add(await CurveAsync(spec, round + 1));
        }
        Main.AddRange(MedianRounds(main));
        Echo.AddRange(MedianRounds(echo));
        Idle.AddRange(idle.GroupBy(i => i.Server.Key).Select(g => g.OrderBy(i => i.FirstAnswerSeconds).ElementAt(g.Count() / 2)));

        foreach (int workers in options.Runs("spread") ? options.SpreadWorkers : [])
            foreach (string workerClass in (string[])["async", "threaded", "sync"])
                Spread.Add(await SpreadAsync(workerClass, workers));

        if (options.RecycleSeconds > 0 && options.Runs("recycle") && servers.Any(s => s.Key == "tunicorn-async"))
            for (int pair = 1; pair <= options.RecyclePairs; pair++)
                Recycle.Add(await RecycleAsync(pair));

        if (options.BootWorkers > 0)
        {
            bool aot = servers.Any(s => s.Key.StartsWith("tunicorn-aot", StringComparison.Ordinal));
            if (options.Runs("boot"))
            {
                await BootAsync(ServerSpec.Tunicorn("sync", 1, options.Threads), "sync");
                await BootAsync(ServerSpec.Tunicorn("async", 1, options.Threads), "async");
            }
            if (options.Runs("respawn"))
            {
                await RespawnAsync(ServerSpec.Tunicorn("async", 1, options.Threads), "async");
                await RespawnAsync(ServerSpec.Tunicorn("sync", 1, options.Threads), "sync");
            }
            if (aot && options.Runs("boot"))
                await BootAsync(ServerSpec.TunicornAot(1), "async NativeAOT");
            if (aot && options.Runs("respawn"))
                await RespawnAsync(ServerSpec.TunicornAot(1), "async NativeAOT");
        }
    }

    /// <summary>
    /// Variants of Tunicorn async under trial (--variants), interleaved: in every round each variant, in rotating
    /// order, gets a warm-up curve of a fresh server and a respawned worker's first call, so that bursts of other work
    /// on the machine fall on every variant alike.
    /// </summary>
    private async Task RunVariantsAsync()
    {
        var variants = options.Variants;
        for (int round = 0; round < options.Rounds; round++)
        {
            console.WriteLine($"round {round + 1} of {options.Rounds} (load average {RunContext.LoadAverage()})");
            var order = variants.Skip(round % variants.Count).Concat(variants.Take(round % variants.Count)).ToList();
            foreach (var variant in order)
            {
                if (options.CurveSeconds > 0 && options.Runs("curve"))
                    Curves.Add(await CurveAsync(ServerSpec.Variant(variant, options.Workers), round + 1));
                if (options.BootWorkers > 0 && options.Runs("respawn"))
                    await RespawnAsync(ServerSpec.Variant(variant, 1), "variant " + variant.Name);
            }
        }
        foreach (var variant in variants)
            console.WriteLine(VariantSummary.Of(variant.Name, Curves, Respawn).Line);
    }

    // The JIT build, the NativeAOT build of the same code, and a JIT peer and the floor for reference.
    private static readonly string[] CurveServers = ["tunicorn-async", "tunicorn-aot", "csharp-threadpool", "floor"];

    /// <summary>
    /// Starts <paramref name="spec"/> afresh and loads it at once (64 connections, no warm-up), counting calls in
    /// 100 ms slices: how soon a new process (JIT, tiering, thread pool) reaches its steady rate.
    /// </summary>
    private async Task<CurveResult> CurveAsync(ServerSpec spec, int round)
    {
        const int sliceMs = 100;
        await using var server = await StartAsync(spec, "calculator", null);
        var tree = server.Tree();
        var cpu = new List<double>();
        long last = 0;
        // Server CPU per slice, sampled at LoadGen's slice marks: calls per CPU-second in a slice does not depend on
        // how much of the cores other work left the server, so a busy machine blurs the curve less.
        var load = await _loadGen.RunAsync(server.Launch.Port, options.Transport, "add", 0, 64, 0, options.CurveSeconds,
            onMeasureStart: () => last = ProcFs.CpuNanoseconds(tree), onMeasureEnd: null, _log, sliceMs,
            onSlice: () =>
            {
                long now = ProcFs.CpuNanoseconds(tree);
                cpu.Add((now - last) / 1e9);
                last = now;
            });
        await server.StopAsync(StopGrace);
        var curve = new CurveResult(spec, round, sliceMs, load.Timeline) { CpuSeconds = cpu };
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  curve {spec.Key,-18} steady {curve.SteadyCallsPerSecond,9:0} calls/s, 90% after {curve.SecondsTo90:0.0} s, first second {curve.ShareOfSteady(0, 1) * 100:0}% of steady; {curve.SteadyCallsPerCpuSecond:0} calls/CPU-s, 90% after {curve.SecondsTo90Efficiency:0.0} s, warm-up overhead {curve.WarmupOverheadCpuSeconds * 1000:0} CPU-ms"));
        return curve;
    }

    /// <summary>
    /// Tunicorn async at 64 connections without max_requests, then with a max_requests that recycles each worker
    /// about every 10 s at the rate just measured (jitter a tenth of it, as a deployment would set it).
    /// </summary>
    private async Task<RecycleResult> RecycleAsync(int pair)
    {
        var spec = ServerSpec.Tunicorn("async", options.Workers, options.Threads);
        PointResult plain;
        await using (var server = await StartAsync(spec, "calculator", null))
        {
            await WarmUpAsync(server);
            plain = await MeasureAsync(server, "add", 0, 64, duration: options.RecycleSeconds);
            await server.StopAsync(StopGrace);
        }
        int maxRequests = (int)Math.Max(1000, plain.Load.CallsPerSecond / options.Workers * 10);
        string[] extra = ["--max-requests", maxRequests.ToString(CultureInfo.InvariantCulture),
            "--max-requests-jitter", (maxRequests / 10).ToString(CultureInfo.InvariantCulture)];
        await using var recycling = await StartAsync(spec, "calculator", null, extra);
        await WarmUpAsync(recycling);
        int bootedBefore = 0;
        var point = await MeasureAsync(recycling, "add", 0, 64, () => bootedBefore = CountLines(recycling, WorkerBootedLine), options.RecycleSeconds);
        int recycled = CountLines(recycling, WorkerBootedLine) - bootedBefore;
        await recycling.StopAsync(StopGrace);
        var result = new RecycleResult(pair, maxRequests, plain, point, recycled);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  recycle pair {pair}: max_requests {maxRequests}, {recycled} workers booted in the window, calls/s {result.Ratio:0.00}x of no recycling"));
        return result;
    }

    private static int CountLines(ServerProcess server, string text) => server.Lines.Count(l => l.Line.Contains(text, StringComparison.Ordinal));

    /// <summary>
    /// Kills the only worker of a one-worker master, then sends a call on a new connection: it waits in the listen
    /// backlog until the replacement accepts it. The time from the master's Booting line to the reply is a worker's
    /// spawn to first call served, including its start-up and the JIT of the call path.
    /// </summary>
    private async Task RespawnAsync(ServerSpec spec, string workerClass)
    {
        await using var server = await StartAsync(spec, "calculator", 1);
        bool framed = options.Transport == "framed";
        for (int i = 1; i <= options.BootWorkers; i++)
        {
            int booted = CountLines(server, WorkerBootedLine);
            int worker = server.Tree().FirstOrDefault(p => p != server.Pid);
            if (worker == 0)
                throw new InvalidOperationException("respawn: the master has no worker");
            var signalled = server.Elapsed;
            Native.Kill(worker, Native.SIGKILL);
            // The old worker must be gone before the call, or it could still take the connection.
            while (ProcFs.ReadStat(worker) is { State: not "Z" })
                await Task.Delay(1);
            double? replyMs = null, cpuMs = null;
            using (var socket = await Probe.ConnectAsync(server.Launch.Port, TimeSpan.FromSeconds(5)))
            {
                if (socket is not null && await Probe.CallOnAsync(socket, framed, TimeSpan.FromSeconds(30)))
                {
                    replyMs = (server.Elapsed - signalled).TotalMilliseconds;
                    // CPU the new worker used up to its first reply: unlike the wall time, it hardly depends on
                    // what else the machine is doing.
                    cpuMs = ProcFs.CpuNanoseconds(server.Tree().Where(p => p != server.Pid && p != worker)) / 1e6;
                }
            }
            var booting = server.Lines.FirstOrDefault(l => l.At >= signalled && BootingRegex().IsMatch(l.Line));
            double? bootingMs = booting.Line is null ? null : (booting.At - signalled).TotalMilliseconds;
            var result = new RespawnResult(workerClass, i, bootingMs, replyMs, cpuMs);
            Respawn.Add(result);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  respawn {workerClass} #{i}: booting line {bootingMs:0} ms, reply {replyMs:0} ms after the kill: spawn to first call {result.SpawnToReplyMs:0} ms, worker CPU {cpuMs:0} ms"));
            await server.WaitForLinesAsync(WorkerBootedLine, booted + 1, TimeSpan.FromSeconds(30) + server.Elapsed);
            await Task.Delay(200);
        }
        await server.StopAsync(StopGrace);
    }

    /// <summary>Per server and point, the round with the median calls/s, carrying every round's calls/s.</summary>
    private static IEnumerable<PointResult> MedianRounds(List<PointResult> points) =>
        points.GroupBy(p => (p.Server.Key, p.Load.Call, p.Load.Size, p.Load.Connections)).Select(g =>
        {
            var ordered = g.OrderBy(p => p.Load.CallsPerSecond).ToList();
            return ordered[ordered.Count / 2] with { RoundCallsPerSecond = [.. g.Select(p => p.Load.CallsPerSecond)] };
        });

    private bool Supported(ServerSpec spec)
    {
        if (spec.FramedOnly && options.Transport != "framed")
        {
            Notes.Add($"{spec.Label} skipped: it speaks framed transport only and this run uses {options.Transport}.");
            return false;
        }
        return true;
    }

    private async Task<ServerProcess> StartAsync(ServerSpec spec, string service, int? workers, IReadOnlyList<string>? tunicornArgs = null)
    {
        var launch = new ServerLaunch(Probe.FreePort(), service, options.Transport, workers, tunicornArgs);
        string logPath = Path.Combine(workDir, $"{spec.Key}-{service}{(workers is int w ? $"-w{w}" : "")}-{launch.Port}.log");
        var server = ServerProcess.Start(spec, options.Paths, launch, logPath, options.TunicornEnv);
        try
        {
            await server.WaitUntilAnsweringAsync(StartDeadline);
            if (spec.IsTunicorn)
                await server.WaitForLinesAsync(WorkerBootedLine, workers ?? options.Workers, StartDeadline);
            await Task.Delay(300);   // let start-up settle before memory is read
            server.RememberTree();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static IdleResult IdleOf(ServerProcess server)
    {
        var processes = new List<ProcessMemory>();
        foreach (int pid in server.Tree())
        {
            if (ProcFs.ReadMemory(pid) is { } memory)
                processes.Add(new ProcessMemory(!server.Spec.IsTunicorn ? "server" : pid == server.Pid ? "master" : "worker", pid, memory));
        }
        return new IdleResult(server.Spec, server.FirstAnswer?.TotalSeconds ?? 0, processes);
    }

    // JIT, thread pool growth, connection set-up: none of it belongs in the first point.
    private async Task WarmUpAsync(ServerProcess server)
    {
        if (options.ServerWarmupSeconds <= 0)
            return;
        await _loadGen.RunAsync(server.Launch.Port, options.Transport, "add", 0, 64, 0, options.ServerWarmupSeconds, null, null, _log);
    }

    private async Task<PointResult> MeasureAsync(ServerProcess server, string call, int size, int connections, Action? atMeasureStart = null, double? duration = null)
    {
        Dictionary<int, long> startTicks = [];
        Dictionary<int, long> endTicks = [];
        var memory = default(MemoryUse);
        int processes = 0;
        long busyStart = 0, busyEnd = 0;
        var load = await _loadGen.RunAsync(server.Launch.Port, options.Transport, call, size, connections,
            options.WarmupSeconds, duration ?? options.DurationSeconds,
            onMeasureStart: () =>
            {
                busyStart = ProcFs.MachineBusyTicks();
                startTicks = ProcFs.CpuTicks(server.Tree());
                atMeasureStart?.Invoke();
            },
            onMeasureEnd: () =>
            {
                busyEnd = ProcFs.MachineBusyTicks();
                var tree = server.Tree();
                endTicks = ProcFs.CpuTicks(tree);
                processes = tree.Count;
                foreach (int pid in tree)
                    memory += ProcFs.ReadMemory(pid) ?? default;
            },
            _log);
        double cpuSeconds = endTicks.Sum(e => e.Value - startTicks.GetValueOrDefault(e.Key)) / ProcFs.TicksPerSecond;
        var point = new PointResult(server.Spec, load, cpuSeconds, memory, processes, (busyEnd - busyStart) / ProcFs.TicksPerSecond);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {server.Spec.Key,-18} {call}{(size > 0 ? " " + size : ""),-10} {connections,4} conns: {load.CallsPerSecond,9:0} calls/s  p99 {load.P99Us / 1000,7:0.00} ms  server {point.ServerCpuCores:0.00} cores  loadgen {load.LoadGenCpuCores:0.00} cores  other {point.OtherCores:0.00} cores  errors {load.Errors}  served {load.ConnectionsServed}/{connections}"));
        return point;
    }

    private async Task<SpreadResult> SpreadAsync(string workerClass, int workers)
    {
        var spec = ServerSpec.Tunicorn(workerClass, workers, options.Threads);
        await using var server = await StartAsync(spec, "calculator", workers);
        await WarmUpAsync(server);
        var workerPids = server.Tree().Where(p => p != server.Pid).Order().ToList();
        Task<(List<int> PerWorker, int Backlog)>? sample = null;
        Dictionary<int, long> startTicks = [];
        var half = TimeSpan.FromSeconds(options.DurationSeconds / 3);   // well inside the window, even on a busy machine
        var point = await MeasureAsync(server, "add", 0, options.SpreadConnections, () =>
        {
            startTicks = ProcFs.CpuTicks(workerPids);
            sample = Task.Run(async () =>
            {
                await Task.Delay(half);
                return CountConnections(server.Launch.Port, workerPids, options.SpreadConnections);
            });
        });
        var endTicks = ProcFs.CpuTicks(workerPids);
        var (perWorker, backlog) = sample is null ? ([], 0) : await sample;
        var used = workerPids.Select(p => (double)(endTicks.GetValueOrDefault(p) - startTicks.GetValueOrDefault(p))).ToList();
        double total = used.Sum();
        var share = used.Select(u => total > 0 ? u / total : 0).ToList();
        console.WriteLine($"  spread {workerClass} ×{workers}: [{string.Join(", ", perWorker)}] + {backlog} in backlog");
        await server.StopAsync(StopGrace);
        return new SpreadResult(workerClass, workers, options.SpreadConnections, perWorker, backlog, share,
            point.Load.CallsPerSecond, point.Load.Errors, point.Load.ConnectionsServed);
    }

    /// <summary>Established server-side connections per worker (by socket inode), and those not accepted by anyone yet.</summary>
    private static (List<int> PerWorker, int Backlog) CountConnections(int port, List<int> workerPids, int expected)
    {
        var established = ProcFs.EstablishedServerSockets(port, expected);
        var perWorker = workerPids.Select(pid =>
        {
            var owned = ProcFs.SocketInodes(pid);
            return established.Count(inode => inode != 0 && owned.Contains(inode));
        }).ToList();
        return (perWorker, established.Count(inode => inode == 0));
    }

    /// <summary>
    /// Adds workers one at a time with SIGTTIN to a master started with one worker, timing the master's log
    /// lines as the runner reads them. (Which worker answers a new connection is the kernel's choice, so the
    /// first call of a new worker is timed by <see cref="RespawnAsync"/>, where no other worker is left.)
    /// </summary>
    /// <param name="workerClass">The worker class as the report names it.</param>
    private async Task BootAsync(ServerSpec spec, string workerClass)
    {
        await using var server = await StartAsync(spec, "calculator", 1);
        for (int i = 1; i <= options.BootWorkers; i++)
        {
            var signalled = server.Elapsed;
            Native.Kill(server.Pid, Native.SIGTTIN);
            await server.WaitForLinesAsync(WorkerBootedLine, 1 + i, TimeSpan.FromSeconds(30) + server.Elapsed);
            var booting = server.Lines.FirstOrDefault(l => l.At >= signalled && BootingRegex().IsMatch(l.Line));
            double? bootingMs = booting.Line is null ? null : (booting.At - signalled).TotalMilliseconds;
            double? bootedMs = null;
            if (booting.Line is not null)
            {
                string pid = BootingRegex().Match(booting.Line).Groups[1].Value;
                var booted = server.Lines.FirstOrDefault(l => l.At >= signalled && l.Line.Contains($"{WorkerBootedLine} {pid})", StringComparison.Ordinal));
                bootedMs = booted.Line is null ? null : (booted.At - signalled).TotalMilliseconds;
            }
            Boot.Add(new BootResult(workerClass, i, bootingMs, bootedMs));
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  boot {workerClass} #{i}: booting line {bootingMs:0} ms, booted line {bootedMs:0} ms after TTIN"));
            await Task.Delay(200);
        }
        await server.StopAsync(StopGrace);
    }

    [GeneratedRegex(@"Booting worker with pid: (\d+)")]
    private static partial Regex BootingRegex();
}
