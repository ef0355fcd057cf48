using System.Globalization;
using System.Text;

namespace Tunicorn.Bench.Runner;

/// <summary>Writes one run as Markdown: context, the main table, ratios to the peers, echo, idle memory, spread, boot, notes.</summary>
public static class MarkdownReport
{
    private const string CSharpPeer = "csharp-threadpool", CppPeer = "cpp-threaded", Floor = "floor";

    public static string Render(BenchRun run, RunnerOptions o, RunContext context, string svgFile)
    {
        var md = new StringBuilder();
        md.AppendLine(F($"# Tunicorn bench, {context.Started:yyyy-MM-dd HH:mm} UTC"));
        md.AppendLine();
        md.AppendLine(F($"Machine: {context.Cores} cores ({context.CpuModel}), Linux {context.Kernel}, .NET {context.DotnetVersion}; load average {context.LoadAverageAtStart} at the start, {context.LoadAverageAtEnd} at the end. Checkout at commit {context.Commit} when the run started; tunicorn executable `{o.Paths.Tunicorn}`{(o.TunicornLabel is { } label ? F($" ({label})") : "")}."));
        md.AppendLine(F($"Mode: {(o.Quick ? "**quick** (smoke run)" : "full")}: {o.Rounds} round(s), each server started afresh in every round; {o.DurationSeconds} s measured per point after {o.WarmupSeconds} s of LoadGen warm-up; each server warmed {o.ServerWarmupSeconds} s after start; every row is the round with the median calls/s. ")
            + F($"LoadGen: {o.LoadGenMode}, binary protocol, {o.Transport} transport, call timeout {o.CallTimeoutSeconds} s. ")
            + F($"Tunicorn: {o.Workers} workers, {(o.Threads is int t ? F($"threaded with {t} threads each") : "default settings (threaded: the default threads)")}{(o.TunicornEnv.Count > 0 ? ", environment " + string.Join(" ", o.TunicornEnv.Select(e => $"`{e.Key}={e.Value}`")) : "")}. C++ TNonblockingServer: {Environment.ProcessorCount} I/O threads. Floor: {o.Workers} processes. Took {context.Elapsed.TotalMinutes:0.0} min."));
        md.AppendLine();
        md.AppendLine("LoadGen runs on the same cores as the server (its CPU is the `loadgen cores` column), and other work on the machine adds noise: compare rows of the same run, mostly through the ratios.");
        md.AppendLine();
        md.AppendLine(F($"![calls per second and p99 against connections]({svgFile})"));
        md.AppendLine();

        Targets(md, run);

        if (run.Main.Count > 0)
        {
            md.AppendLine("## add(1,2) on the tutorial Calculator");
            md.AppendLine();
            PointTable(md, run.Main, bytes: 0);
        }

        if (run.Main.Any(p => p.Server.IsTunicorn))
        {
            md.AppendLine("## Tunicorn relative to the peers at the same connection count");
            md.AppendLine();
            md.AppendLine("Each cell is Tunicorn ÷ peer (or ÷ the floor: a bare epoll server in C, one recv and one send per call, no Thrift). calls/s and calls per CPU-second: above 1 is better; p99 and PSS: below 1 is better.");
            md.AppendLine();
            RatioTable(md, run.Main);
        }

        foreach (var group in run.Echo.GroupBy(p => p.Load.Size))
        {
            md.AppendLine(F($"## echo of {Bytes(group.Key)} (bench service), {o.EchoConnections} connections"));
            md.AppendLine();
            PointTable(md, [.. group], group.Key);
            if (group.Any(p => p.Server.IsTunicorn))
                RatioTable(md, [.. group]);
        }

        if (run.Idle.Count > 0)
        {
            md.AppendLine("## Start and idle memory");
            md.AppendLine();
            md.AppendLine("`first answer`: from process start to the first correct reply. Memory right after start, before any load; PSS counts shared pages (the runtime, mapped by every worker) once in total.");
            md.AppendLine();
            md.AppendLine("| server | first answer s | processes | master RSS / PSS MB | each worker RSS / PSS MB | total RSS MB | total PSS MB |");
            md.AppendLine("| --- | ---: | ---: | --- | --- | ---: | ---: |");
            foreach (var idle in run.Idle)
            {
                var master = idle.Processes.Where(p => p.Role is "master" or "server").ToList();
                var workers = idle.Processes.Where(p => p.Role == "worker").ToList();
                var total = idle.Processes.Aggregate(default(MemoryUse), (a, p) => a + p.Memory);
                md.AppendLine(F($"| {idle.Server.Label} | {idle.FirstAnswerSeconds:0.00} | {idle.Processes.Count} | {string.Join(", ", master.Select(p => Mem(p.Memory)))} | {(workers.Count == 0 ? "–" : string.Join(", ", workers.Select(p => Mem(p.Memory))))} | {Mb(total.RssKiB)} | {Mb(total.PssKiB)} |"));
            }
            md.AppendLine();
        }

        if (run.Spread.Count > 0)
        {
            md.AppendLine(F($"## Connections spread over Tunicorn workers ({o.SpreadConnections} persistent connections)"));
            md.AppendLine();
            md.AppendLine("Counted a third of the way into a measured load point: established connections held by each worker (socket inodes of /proc/net/tcp matched to /proc/PID/fd), and connections the kernel completed that no worker accepted (waiting in the listen backlog). CPU share: each worker's part of the workers' CPU time in the window.");
            md.AppendLine();
            md.AppendLine("| class | workers | connections per worker | not accepted | CPU share per worker | calls/s | served | errors |");
            md.AppendLine("| --- | ---: | --- | ---: | --- | ---: | ---: | ---: |");
            foreach (var s in run.Spread)
                md.AppendLine(F($"| {s.WorkerClass} | {s.Workers} | {string.Join(" / ", s.PerWorker)} | {s.Backlog} | {string.Join(" / ", s.CpuShare.Select(c => F($"{c * 100:0}%")))} | {s.CallsPerSecond:0} | {s.ConnectionsServed}/{s.Connections} | {s.Errors} |"));
            md.AppendLine();
        }

        if (run.Boot.Count > 0)
        {
            md.AppendLine("## Worker boot after SIGTTIN");
            md.AppendLine();
            md.AppendLine("Milliseconds from the signal to the master's `Booting worker with pid` line and to the `Worker booted (pid: N)` line (the worker reports just before its first accept). Lines are timed when the runner reads them from the master's stderr.");
            md.AppendLine();
            md.AppendLine("| class | worker added | Booting line ms | Worker booted line ms |");
            md.AppendLine("| --- | ---: | ---: | ---: |");
            foreach (var b in run.Boot)
                md.AppendLine(F($"| {b.WorkerClass} | {b.Index} | {Ms(b.BootingMs)} | {Ms(b.BootedMs)} |"));
            foreach (var g in run.Boot.GroupBy(b => b.WorkerClass))
                md.AppendLine(F($"| {g.Key} | median | | {Ms(Median(g.Select(b => b.BootedMs)))} |"));
            md.AppendLine();
        }

        if (run.Respawn.Count > 0)
        {
            md.AppendLine("## A new worker's first call");
            md.AppendLine();
            md.AppendLine("The only worker of a master is killed (SIGKILL) and a call is sent on a new connection at once: it waits in the listen backlog until the replacement accepts it. Milliseconds from the kill to the master's `Booting worker` line and to the reply; spawn to first call is the difference (the worker's runtime start, Tunicorn's start, loading the app, and the JIT of the call path). `worker CPU ms`: CPU time (all threads) the new worker had used when the reply came, which other work on the machine hardly changes.");
            md.AppendLine();
            md.AppendLine("| class | kill | Booting line ms | reply ms | spawn to first call ms | worker CPU ms |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
            foreach (var r in run.Respawn)
                md.AppendLine(F($"| {r.WorkerClass} | {r.Index} | {Ms(r.BootingMs)} | {Ms(r.ReplyMs)} | {Ms(r.SpawnToReplyMs)} | {Ms(r.WorkerCpuMs)} |"));
            foreach (var g in run.Respawn.GroupBy(r => r.WorkerClass))
                md.AppendLine(F($"| {g.Key} | median | {Ms(Median(g.Select(r => r.BootingMs)))} | {Ms(Median(g.Select(r => r.ReplyMs)))} | {Ms(Median(g.Select(r => r.SpawnToReplyMs)))} | {Ms(Median(g.Select(r => r.WorkerCpuMs)))} |"));
            md.AppendLine();
        }

        if (o.Variants.Count > 0)
        {
            md.AppendLine("## Variants under trial (interleaved)");
            md.AppendLine();
            md.AppendLine(F($"Tunicorn async, each variant in every round in rotating order: a respawned worker's first call (one worker, {o.BootWorkers} kills per round; medians) and a fresh {o.Workers}-worker server's warm-up curve (one per round; steady: medians of the rounds)."));
            md.AppendLine();
            foreach (var v in o.Variants)
                md.AppendLine(F($"- {v.Name}: {(v.Env.Count == 0 ? "default environment" : string.Join(" ", v.Env.Select(e => $"`{e.Key}={e.Value}`")))}{(v.CalculatorDll is { } dll ? F($", Calculator `{dll}`") : "")}{(v.Tunicorn is { } exe ? F($", tunicorn `{exe}`") : "")}"));
            md.AppendLine();
            md.AppendLine("| variant | spawn to first call ms | worker CPU ms | 90 % of steady calls/s after | steady calls/s | steady calls/CPU-s | warm-up CPU-ms |");
            md.AppendLine("| --- | ---: | ---: | --- | ---: | ---: | ---: |");
            foreach (var v in o.Variants)
                md.AppendLine(VariantSummary.Of(v.Name, run.Curves, run.Respawn).Row);
            md.AppendLine();
        }

        if (run.Curves.Count > 0)
        {
            md.AppendLine("## Warm-up of a fresh server");
            md.AppendLine();
            md.AppendLine(F($"Each server started afresh (once per round), then at once 64 connections of add(1,2) for {o.CurveSeconds} s, counted in 100 ms slices from the first call, with the server's CPU time (all threads, schedstat) in each slice. Steady: the last 40 % of the slices. `90 % after`: the end of the first slice at 90 % of steady calls/s, or of steady calls per CPU-second (efficiency: less blurred by other work on the machine than calls/s). `warm-up CPU-ms`: server CPU over the first 2 s beyond what those calls cost at the steady efficiency (JIT, tiering, slow first code)."));
            md.AppendLine();
            md.AppendLine("| server | round | steady calls/s | 90 % calls/s after s | 0-0.5 s ÷ steady | 0.5-1 s ÷ steady | 1-2 s ÷ steady | steady calls/CPU-s | 90 % calls/CPU-s after s | warm-up CPU-ms | first 10 slices, k calls/s |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
            foreach (var c in run.Curves.OrderBy(c => Order(c.Server.Key)).ThenBy(c => c.Round))
                md.AppendLine(F($"| {c.Server.Label} | {c.Round} | {c.SteadyCallsPerSecond:0} | {(c.SecondsTo90 is double s ? F($"{s:0.0}") : "–")} | {c.ShareOfSteady(0, 0.5):0.00} | {c.ShareOfSteady(0.5, 1):0.00} | {c.ShareOfSteady(1, 2):0.00} | {c.SteadyCallsPerCpuSecond:0} | {(c.SecondsTo90Efficiency is double e ? F($"{e:0.0}") : "–")} | {c.WarmupOverheadCpuSeconds * 1000:0} | {string.Join(" ", c.Slices.Take(10).Select(v => F($"{v / c.SliceSeconds / 1000:0}")))} |"));
            md.AppendLine();
        }

        if (run.Recycle.Count > 0)
        {
            md.AppendLine("## max_requests recycling under load");
            md.AppendLine();
            md.AppendLine(F($"Tunicorn async, {o.Workers} workers, 64 connections, {o.RecycleSeconds} s measured: a server without max_requests, then one with max_requests set to recycle each worker about every 10 s at the rate just measured (jitter a tenth of it). `workers booted`: replacements that reported booted during the window. A recycled worker closes the persistent connections it held once their calls are answered; a client that already sent its next call on one sees a reset (or a close), which LoadGen counts as an error, then reconnects."));
            md.AppendLine();
            md.AppendLine("| pair | max_requests | calls/s without | calls/s with | with ÷ without | p99 ms without | p99 ms with | workers booted | errors with |");
            md.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var r in run.Recycle)
                md.AppendLine(F($"| {r.Pair} | {r.MaxRequests} | {r.Plain.Load.CallsPerSecond:0} | {r.Recycling.Load.CallsPerSecond:0} | {r.Ratio:0.00} | {r.Plain.Load.P99Us / 1000:0.000} | {r.Recycling.Load.P99Us / 1000:0.000} | {r.Recycled} | {r.Recycling.Load.Errors}{(r.Recycling.Load.Errors > 0 ? " (" + string.Join(", ", r.Recycling.Load.ErrorsByKind.Where(e => e.Value > 0).Select(e => $"{e.Key} {e.Value}")) + ")" : "")} |"));
            md.AppendLine();
        }

        var notes = run.Notes.Concat(AutomaticNotes(run, o)).ToList();
        if (notes.Count > 0)
        {
            md.AppendLine("## Notes");
            md.AppendLine();
            foreach (string note in notes)
                md.AppendLine("- " + note);
            md.AppendLine();
        }
        md.AppendLine("Columns: `calls/s` completed calls per second of the measured window; `p50/p99/p99.9` call latency seen by LoadGen (send to last reply byte); "
            + "`server cores` server CPU seconds (utime+stime of all its processes) per second; `calls/CPU-s` calls per server CPU-second; "
            + "`RSS`/`PSS` summed over the server's processes at the end of the window; `errors` timeouts, wrong replies and broken connections while measuring; "
            + "`served` connections that completed at least one call; `loadgen cores` LoadGen's own CPU; "
            + "`other cores` CPU the rest of the machine used meanwhile (other builds and tests, the runner): noise, the higher the less trustworthy the row.");
        return md.ToString();
    }

    private static void PointTable(StringBuilder md, List<PointResult> points, int bytes)
    {
        md.AppendLine("| server | conns | calls/s | p50 ms | p99 ms | p99.9 ms | server cores | calls/CPU-s | RSS MB | PSS MB | errors | served | loadgen cores | other cores | rounds ± |" + (bytes > 0 ? " MB/s each way |" : ""));
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" + (bytes > 0 ? " ---: |" : ""));
        foreach (var p in points.OrderBy(p => p.Load.Connections).ThenBy(p => Order(p.Server.Key)))
        {
            var l = p.Load;
            md.AppendLine(F($"| {p.Server.Label} | {l.Connections} | {l.CallsPerSecond:0} | {l.P50Us / 1000:0.000} | {l.P99Us / 1000:0.000} | {l.P999Us / 1000:0.000} | {p.ServerCpuCores:0.00} | {p.CallsPerCpuSecond:0} | {Mb(p.Memory.RssKiB)} | {Mb(p.Memory.PssKiB)} | {l.Errors} | {l.ConnectionsServed}/{l.Connections} | {l.LoadGenCpuCores:0.00} | {p.OtherCores:0.00} | {(p.RoundCallsPerSecond.Count > 1 ? F($"{p.RoundSpread * 100:0}%") : "–")} |")
                + (bytes > 0 ? F($" {l.CallsPerSecond * bytes / 1e6:0} |") : ""));
        }
        md.AppendLine();
    }

    private static void RatioTable(StringBuilder md, List<PointResult> points)
    {
        bool floor = points.Any(p => p.Server.Key == Floor);
        md.AppendLine("| server | conns | calls/s ÷ C# | calls/s ÷ C++ | p99 ÷ C# | p99 ÷ C++ | calls/CPU-s ÷ C# | calls/CPU-s ÷ C++ | PSS ÷ C# | PSS ÷ C++ |" + (floor ? " calls/s ÷ floor | calls/CPU-s ÷ floor |" : ""));
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" + (floor ? " ---: | ---: |" : ""));
        foreach (var p in points.Where(p => p.Server.IsTunicorn).OrderBy(p => p.Load.Connections).ThenBy(p => Order(p.Server.Key)))
        {
            var cs = points.FirstOrDefault(q => q.Server.Key == CSharpPeer && q.Load.Connections == p.Load.Connections);
            var cpp = points.FirstOrDefault(q => q.Server.Key == CppPeer && q.Load.Connections == p.Load.Connections);
            var bare = points.FirstOrDefault(q => q.Server.Key == Floor && q.Load.Connections == p.Load.Connections);
            // Latency of a partly served point covers only the connections that were served: no fair ratio.
            string p99Cs = p.PartlyServed ? "n/a" : R(p.Load.P99Us, cs?.Load.P99Us);
            string p99Cpp = p.PartlyServed ? "n/a" : R(p.Load.P99Us, cpp?.Load.P99Us);
            md.AppendLine(F($"| {p.Server.Label} | {p.Load.Connections} | {R(p.Load.CallsPerSecond, cs?.Load.CallsPerSecond)} | {R(p.Load.CallsPerSecond, cpp?.Load.CallsPerSecond)} | {p99Cs} | {p99Cpp} | {R(p.CallsPerCpuSecond, cs?.CallsPerCpuSecond)} | {R(p.CallsPerCpuSecond, cpp?.CallsPerCpuSecond)} | {R(p.Memory.PssKiB, cs?.Memory.PssKiB)} | {R(p.Memory.PssKiB, cpp?.Memory.PssKiB)} |")
                + (floor ? F($" {R(p.Load.CallsPerSecond, bare?.Load.CallsPerSecond)} | {R(p.CallsPerCpuSecond, bare?.CallsPerCpuSecond)} |") : ""));
        }
        md.AppendLine("");
        md.AppendLine("C# = Apache Thrift C# TThreadPoolAsyncServer, C++ = Apache Thrift C++ TThreadedServer" + (floor ? ", floor = bench/peers/floor." : ".")
            + (points.Any(p => p.Server.IsTunicorn && p.PartlyServed) ? " n/a: only some connections were served, so the latency of the others is unknown." : ""));
        md.AppendLine();
    }

    /// <summary>Issue 13's targets, each computed from this run: the number, the target, met or missed. Not a test: one noisy run.</summary>
    private static void Targets(StringBuilder md, BenchRun run)
    {
        PointResult? At(List<PointResult> points, string key, int connections) =>
            points.FirstOrDefault(p => p.Server.Key == key && p.Load.Connections == connections);
        var rows = new List<(string Target, string Measured, bool? Met)>();
        void Ratio(string target, double? value, double? peer, double bound, bool atLeast, string what)
        {
            if (value is not double v || peer is not double q || q <= 0)
                return;
            double r = v / q;
            rows.Add((target, F($"{r:0.00} ({what})"), atLeast ? r >= bound : r <= bound));
        }

        var async64 = At(run.Main, "tunicorn-async", 64);
        var floor64 = At(run.Main, Floor, 64);
        Ratio("async ×64 calls/s ≥ 0.85 × floor", async64?.Load.CallsPerSecond, floor64?.Load.CallsPerSecond, 0.85, true,
            F($"{async64?.Load.CallsPerSecond:0} ÷ {floor64?.Load.CallsPerSecond:0}"));
        Ratio("async ×64 calls/CPU-s ≥ 0.75 × floor", async64?.CallsPerCpuSecond, floor64?.CallsPerCpuSecond, 0.75, true,
            F($"{async64?.CallsPerCpuSecond:0} ÷ {floor64?.CallsPerCpuSecond:0}"));
        foreach (string cls in (string[])["sync", "threaded"])
            foreach (int c in (int[])[8, 64, 256])
            {
                var p = At(run.Main, "tunicorn-" + cls, c);
                var a = At(run.Main, "tunicorn-async", c);
                if (p is null || a is null)
                    continue;
                double r = a.Load.CallsPerSecond > 0 ? p.Load.CallsPerSecond / a.Load.CallsPerSecond : 0;
                rows.Add(($"{cls} ×{c}: every connection served, calls/s ≥ 0.8 × async",
                    F($"{p.Load.ConnectionsServed}/{c} served, {r:0.00} ({p.Load.CallsPerSecond:0} ÷ {a.Load.CallsPerSecond:0})"),
                    p.Load.ConnectionsServed == c && r >= 0.8));
            }
        foreach (string key in (string[])["tunicorn-async", "tunicorn-threaded", "tunicorn-sync"])
            foreach (int c in (int[])[64, 256])
            {
                var p = At(run.Main, key, c);
                var cpp = At(run.Main, CppPeer, c);
                Ratio(F($"{p?.Server.Label ?? key} ×{c} p99 ≤ C++ TThreadedServer's"), p?.Load.P99Us, cpp?.Load.P99Us, 1.0, false,
                    F($"{p?.Load.P99Us / 1000:0.00} ms ÷ {cpp?.Load.P99Us / 1000:0.00} ms"));
            }
        var echoAsync = run.Echo.FirstOrDefault(p => p.Server.Key == "tunicorn-async" && p.Load.Size == 65536 && p.Load.Connections == 64);
        var echoCs = run.Echo.FirstOrDefault(p => p.Server.Key == CSharpPeer && p.Load.Size == 65536 && p.Load.Connections == 64);
        Ratio("async 64 KiB echo ×64 calls/s ≥ 1.3 × C# TThreadPoolAsyncServer", echoAsync?.Load.CallsPerSecond, echoCs?.Load.CallsPerSecond, 1.3, true,
            F($"{echoAsync?.Load.CallsPerSecond:0} ÷ {echoCs?.Load.CallsPerSecond:0}"));
        if (Median(run.Respawn.Where(r => r.WorkerClass == "async").Select(r => r.SpawnToReplyMs)) is double spawn)
            rows.Add(("JIT async worker (ReadyToRun CLI): spawn to first call ≤ 100 ms (median)",
                F($"{spawn:0} ms; the worker's CPU up to the reply {Median(run.Respawn.Where(r => r.WorkerClass == "async").Select(r => r.WorkerCpuMs)):0} ms"), spawn <= 100));
        var cs64 = At(run.Main, CSharpPeer, 64);
        Ratio("master + 2 async workers under load (×64): PSS ≤ one C# TThreadPoolAsyncServer", async64?.Memory.PssKiB, cs64?.Memory.PssKiB, 1.0, false,
            F($"{async64?.Memory.PssKiB / 1024.0:0.0} MB ÷ {cs64?.Memory.PssKiB / 1024.0:0.0} MB"));
        var curves = run.Curves.Where(c => c.Server.Key == "tunicorn-async").ToList();
        if (curves.Count > 0)
        {
            var times = curves.Select(c => c.SecondsTo90).ToList();
            bool all = times.All(t => t is <= 1.0);
            rows.Add(("fresh JIT server reaches 90 % of steady calls/s within 1 s (every round)",
                string.Join(", ", times.Select(t => t is double s ? F($"{s:0.0} s") : "never"))
                + "; 90 % of steady calls/CPU-s after " + string.Join(", ", curves.Select(c => c.SecondsTo90Efficiency is double e ? F($"{e:0.0} s") : "never")), all));
        }
        foreach (var r in run.Recycle)
            rows.Add((F($"max_requests recycling (pair {r.Pair}): calls/s within 10 % of none"),
                F($"{r.Ratio:0.00} ({r.Recycling.Load.CallsPerSecond:0} ÷ {r.Plain.Load.CallsPerSecond:0}, {r.Recycled} workers booted)"), r.Ratio >= 0.9));
        if (rows.Count == 0)
            return;
        md.AppendLine("## Issue 13 targets in this run");
        md.AppendLine();
        md.AppendLine("Computed from the tables below; one run on a shared machine, so read a near miss as noise until a second run agrees.");
        md.AppendLine();
        md.AppendLine("| target | measured | |");
        md.AppendLine("| --- | --- | --- |");
        foreach (var (target, measured, met) in rows)
            md.AppendLine($"| {target} | {measured} | {(met is true ? "met" : "missed")} |");
        md.AppendLine();
    }

    private static IEnumerable<string> AutomaticNotes(BenchRun run, RunnerOptions o)
    {
        var points = run.Main.Concat(run.Echo).ToList();
        static string Name(PointResult p) => F($"{p.Server.Label} {p.Load.Call}{(p.Load.Size > 0 ? F($" {p.Load.Size}") : "")} ×{p.Load.Connections}");

        var partly = points.Where(p => p.PartlyServed).ToList();
        if (partly.Count > 0)
            yield return "Only some connections were served (the rest waited in the listen backlog" + (partly.Any(p => p.Load.Errors > 0) ? F($" and timed out after {o.CallTimeoutSeconds} s, counted as errors") : "")
                + "): " + string.Join(", ", partly.Select(p => F($"{Name(p)} ({p.Load.ConnectionsServed} served)"))) + ".";
        foreach (var p in points.Where(p => !p.PartlyServed && p.Load.Errors > 0))
            yield return F($"{Name(p)}: {p.Load.Errors} errors ({string.Join(", ", p.Load.ErrorsByKind.Where(e => e.Value > 0).Select(e => $"{e.Key} {e.Value}"))}).");
        var noisy = points.Where(p => p.OtherCores > 0.25).ToList();
        if (noisy.Count > 0)
            yield return F($"Other processes used more than 0.25 cores during {noisy.Count} of {points.Count} rows (median {Median(points.Select(p => (double?)p.OtherCores)):0.00} cores over all rows): the machine was shared, so the absolute numbers are low and noisy; the ratios are more robust.");
        var saturated = points.Where(p => p.ServerCpuCores + p.Load.LoadGenCpuCores > Environment.ProcessorCount * 0.9).ToList();
        if (saturated.Count > 0)
            yield return "Server and LoadGen together used over 90% of the cores (the machine, not the server, set the limit): " + string.Join(", ", saturated.Select(Name)) + ".";
        foreach (var s in run.Spread.Where(s => s.PerWorker.Count > 1 && s.PerWorker.Sum() > 0))
        {
            int most = s.PerWorker.Max(), least = s.PerWorker.Min();
            if (most > 1.5 * Math.Max(1, least) && most - least > 2)
                yield return F($"Uneven spread: {s.WorkerClass} with {s.Workers} workers held {string.Join(" / ", s.PerWorker)} of {s.Connections} connections.");
        }
    }

    private static int Order(string key) => RunnerOptions.AllServerKeys.ToList().IndexOf(key);
    private static string R(double value, double? peer) => peer is > 0 ? F($"{value / peer.Value:0.00}") : "–";
    private static string Mb(long kib) => F($"{kib / 1024.0:0.0}");
    private static string Mem(MemoryUse m) => F($"{m.RssKiB / 1024.0:0.0} / {m.PssKiB / 1024.0:0.0}");
    private static string Ms(double? ms) => ms is double v ? F($"{v:0}") : "–";
    private static string Bytes(int n) => n >= 1024 && n % 1024 == 0 ? F($"{n / 1024} KiB") : F($"{n} bytes");
    private static double? Median(IEnumerable<double?> values)
    {
        var list = values.Where(v => v is not null).Select(v => v!.Value).Order().ToList();
        return list.Count == 0 ? null : list[list.Count / 2];
    }
    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
