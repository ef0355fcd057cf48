using System.Globalization;

namespace Tunicorn.Bench.Runner;

/// <summary>What one invocation measures; <see cref="Parse"/> reads it from the command line (bench/run.sh passes its options on).</summary>
public sealed record RunnerOptions
{
    public const string Usage = """
        usage: run.sh [options]
          --quick                  a smoke run: short points (see below), same servers and tables
          --rounds N               each server is started and measured N times, in rotating order; the median round
                                   of each point is reported (default 3; quick 1)
          --duration S             measured seconds per point and round (default 3; quick 1.5)
          --warmup S               LoadGen warm-up per point (default 0.5; quick 0.3)
          --server-warmup S        load on each freshly started server before its first point (default 2; quick 1)
          --connections LIST       connection counts (default 1,8,64,256)
          --servers LIST           keys of the servers to run (default all):
                                   tunicorn-async,tunicorn-threaded,tunicorn-sync,tunicorn-aot,csharp-threadpool,cpp-threaded,
                                   cpp-nonblocking,floor (tunicorn-aot: examples/Calculator.Embedded published with NativeAOT,
                                   async; floor: bench/peers/floor, a bare epoll server in C answering add(1,2) only)
          --workers N              Tunicorn workers in the main table, and floor processes (default 2)
          --threads N              threads per threaded worker (default: Tunicorn's own default, not passed)
          --tunicorn-env LIST      KEY=VALUE,... set for the Tunicorn processes only (e.g. DOTNET_TieredPGO=0), for
                                   trying runtime settings; the report names them
          --curve S                seconds of load on a freshly started server, in 100 ms slices: the warm-up curve
                                   (default 5; quick 3; 0 for none)
          --recycle S              seconds measured with and without max_requests (a worker recycled about every
                                   10 s), async at 64 connections (default 20; quick 10; 0 for none)
          --recycle-pairs N        pairs of those points, interleaved (default 2; quick 1)
          --transport framed|buffered   (default framed: TNonblockingServer speaks nothing else; it is skipped with buffered)
          --echo-sizes LIST        echo payload sizes in bytes against the bench service, 0 for none (default 1024,65536)
          --echo-connections N     connections for the echo points (default 64)
          --spread-workers LIST    Tunicorn worker counts for the connection spread (default 2,4; 0 for none)
          --spread-connections N   persistent connections for the spread (default 64)
          --boot-workers N         workers added by SIGTTIN to time the boot, and workers killed to time a respawned
                                   worker's first call (default 5; quick 3; 0 for none)
          --call-timeout S         a call unanswered this long is an error (default 2)
          --loadgen-mode M         async-inline (default), async or blocking
          --parts LIST             what to run (default all): main (main table and echo), curve, spread, recycle, boot,
                                   respawn; e.g. --parts recycle re-measures max_requests recycling alone
          --variants LIST          Tunicorn async under trial, ';' separated, each NAME:KEY=VALUE,KEY=VALUE (environment)
                                   with @calculator=PATH to serve another build of the Calculator, @tunicorn=PATH to run
                                   another tunicorn executable; NAME: alone is the
                                   default. With variants, each round runs the curve and respawn parts for every variant
                                   in rotating order (interleaved), and prints a summary per variant
          --out DIR                where the report goes (default bench/results)
          --tunicorn-label TEXT    what the tunicorn executable was built from, for the report (run.sh: TUNICORN_CLI_LABEL)
          --tunicorn, --calculator, --bench-service, --peer-csharp, --peer-cpp, --loadgen, --tunicorn-aot, --floor PATH
                                   (run.sh sets these)
        """;

    public bool Quick { get; init; }
    public int Rounds { get; init; } = 3;
    public double DurationSeconds { get; init; } = 3;
    public double WarmupSeconds { get; init; } = 0.5;
    public double ServerWarmupSeconds { get; init; } = 2;
    public List<int> Connections { get; init; } = [1, 8, 64, 256];
    public List<string> Servers { get; init; } = [.. AllServerKeys];
    public int Workers { get; init; } = 2;
    /// <summary>Threads per threaded worker; null: Tunicorn's default (the issue-13 targets are for default settings).</summary>
    public int? Threads { get; init; }
    public Dictionary<string, string> TunicornEnv { get; init; } = [];
    public double CurveSeconds { get; init; } = 5;
    public double RecycleSeconds { get; init; } = 20;
    public int RecyclePairs { get; init; } = 2;
    public string Transport { get; init; } = "framed";
    public List<int> EchoSizes { get; init; } = [1024, 65536];
    public int EchoConnections { get; init; } = 64;
    public List<int> SpreadWorkers { get; init; } = [2, 4];
    public int SpreadConnections { get; init; } = 64;
    public int BootWorkers { get; init; } = 5;
    public double CallTimeoutSeconds { get; init; } = 2;
    public string LoadGenMode { get; init; } = "async-inline";
    public string OutDir { get; init; } = "bench/results";
    public HashSet<string> Parts { get; init; } = [.. AllParts];
    public List<TunicornVariant> Variants { get; init; } = [];
    public string? TunicornLabel { get; init; }
    public required BenchPaths Paths { get; init; }

    public static IReadOnlyList<string> AllParts => ["main", "curve", "spread", "recycle", "boot", "respawn"];

    public bool Runs(string part) => Parts.Contains(part);

    public static IReadOnlyList<string> AllServerKeys =>
        ["tunicorn-async", "tunicorn-threaded", "tunicorn-sync", "tunicorn-aot", "csharp-threadpool", "cpp-threaded", "cpp-nonblocking", "floor"];

    public static RunnerOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        bool quick = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--quick")
            {
                quick = true;
                continue;
            }
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"{args[i]}: expected --option value");
            values[args[i]] = args[++i];
        }
        string Get(string name) => values.Remove(name, out var v) ? v : throw new ArgumentException($"{name} is required");
        var o = new RunnerOptions
        {
            Quick = quick,
            Paths = new BenchPaths(Get("--tunicorn"), Get("--calculator"), Get("--bench-service"), Get("--peer-csharp"), Get("--peer-cpp"), Get("--loadgen"),
                Get("--tunicorn-aot"), Get("--floor")),
        };
        if (quick)
            o = o with { Rounds = 1, DurationSeconds = 1.5, WarmupSeconds = 0.3, ServerWarmupSeconds = 1, BootWorkers = 3, CurveSeconds = 3, RecycleSeconds = 10, RecyclePairs = 1 };
        foreach (var (name, value) in values)
        {
            o = name switch
            {
                "--rounds" => o with { Rounds = Ints(name, value, 1)[0] },
                "--duration" => o with { DurationSeconds = Seconds(name, value) },
                "--warmup" => o with { WarmupSeconds = Seconds(name, value) },
                "--server-warmup" => o with { ServerWarmupSeconds = Seconds(name, value) },
                "--connections" => o with { Connections = Ints(name, value, 1) },
                "--servers" => o with { Servers = Keys(value) },
                "--workers" => o with { Workers = Ints(name, value, 1)[0] },
                "--threads" => o with { Threads = Ints(name, value, 1)[0] },
                "--tunicorn-env" => o with { TunicornEnv = Env(value) },
                "--curve" => o with { CurveSeconds = Seconds(name, value) },
                "--recycle" => o with { RecycleSeconds = Seconds(name, value) },
                "--recycle-pairs" => o with { RecyclePairs = Ints(name, value, 1)[0] },
                "--transport" => o with { Transport = value is "framed" or "buffered" ? value : throw new ArgumentException($"--transport {value}: framed or buffered") },
                "--echo-sizes" => o with { EchoSizes = [.. Ints(name, value, 0).Where(s => s > 0)] },
                "--echo-connections" => o with { EchoConnections = Ints(name, value, 1)[0] },
                "--spread-workers" => o with { SpreadWorkers = [.. Ints(name, value, 0).Where(s => s > 0)] },
                "--spread-connections" => o with { SpreadConnections = Ints(name, value, 1)[0] },
                "--boot-workers" => o with { BootWorkers = Ints(name, value, 0)[0] },
                "--call-timeout" => o with { CallTimeoutSeconds = Seconds(name, value) },
                "--loadgen-mode" => o with { LoadGenMode = value is "async-inline" or "async" or "blocking" ? value : throw new ArgumentException($"--loadgen-mode {value}: async-inline, async or blocking") },
                "--out" => o with { OutDir = value },
                "--parts" => o with { Parts = PartList(value) },
                "--variants" => o with { Variants = VariantList(value) },
                "--tunicorn-label" => o with { TunicornLabel = value.Length > 0 ? value : null },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }
        return o;
    }

    private static double Seconds(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s >= 0 && s <= 3600
            ? s : throw new ArgumentException($"{name} {value}: expected seconds from 0 to 3600");

    private static List<int> Ints(string name, string value, int min)
    {
        var list = new List<int>();
        foreach (string part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            list.Add(int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min
                ? n : throw new ArgumentException($"{name} {value}: expected integers of at least {min}, comma separated"));
        return list.Count > 0 ? list : throw new ArgumentException($"{name}: empty list");
    }

    private static Dictionary<string, string> Env(string value)
    {
        var env = new Dictionary<string, string>();
        foreach (string pair in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0)
                throw new ArgumentException($"--tunicorn-env {value}: expected KEY=VALUE,...");
            env[pair[..eq]] = pair[(eq + 1)..];
        }
        return env;
    }

    private static HashSet<string> PartList(string value)
    {
        var parts = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        foreach (string part in parts)
            if (!AllParts.Contains(part))
                throw new ArgumentException($"--parts: unknown part '{part}' (known: {string.Join(", ", AllParts)})");
        return parts;
    }

    private static List<TunicornVariant> VariantList(string value)
    {
        var variants = new List<TunicornVariant>();
        foreach (string item in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = item.IndexOf(':');
            if (colon <= 0)
                throw new ArgumentException($"--variants {item}: expected NAME:KEY=VALUE,...");
            var env = Env(item[(colon + 1)..]);
            env.Remove("@calculator", out string? calculator);
            env.Remove("@tunicorn", out string? tunicorn);
            variants.Add(new TunicornVariant(item[..colon], env, calculator, tunicorn));
        }
        return variants.Count > 0 ? variants : throw new ArgumentException("--variants: empty list");
    }

    private static List<string> Keys(string value)
    {
        var keys = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        foreach (string key in keys)
            if (!AllServerKeys.Contains(key))
                throw new ArgumentException($"--servers: unknown server '{key}' (known: {string.Join(", ", AllServerKeys)})");
        return keys;
    }
}
