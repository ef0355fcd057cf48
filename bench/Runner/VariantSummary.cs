using System.Globalization;

namespace Tunicorn.Bench.Runner;

/// <summary>One variant under trial (--variants) over all rounds: first call of a respawned worker, and its warm-up curves.</summary>
public sealed record VariantSummary(string Name, double? SpawnToReplyMs, double? WorkerCpuMs, IReadOnlyList<double?> SecondsTo90,
    double? SteadyCallsPerSecond, double? SteadyCallsPerCpuSecond, double? WarmupCpuMs, int Kills, int Curves)
{
    public static VariantSummary Of(string name, IEnumerable<CurveResult> curves, IEnumerable<RespawnResult> respawns)
    {
        var mine = curves.Where(c => c.Server.Key == "variant-" + name).OrderBy(c => c.Round).ToList();
        var kills = respawns.Where(r => r.WorkerClass == "variant " + name).ToList();
        return new VariantSummary(name,
            Median(kills.Select(r => r.SpawnToReplyMs)), Median(kills.Select(r => r.WorkerCpuMs)),
            [.. mine.Select(c => c.SecondsTo90)],
            Median(mine.Select(c => (double?)c.SteadyCallsPerSecond)), Median(mine.Select(c => (double?)c.SteadyCallsPerCpuSecond)),
            Median(mine.Select(c => (double?)c.WarmupOverheadCpuSeconds * 1000)), kills.Count, mine.Count);
    }

    /// <summary>One line for the console and one row for the report (same cells).</summary>
    public string Line => F($"  variant {Name}: first call {Ms(SpawnToReplyMs)} ms wall, {Ms(WorkerCpuMs)} ms worker CPU (median of {Kills}); 90 % of steady calls/s after {Times}; steady {Ms(SteadyCallsPerSecond)} calls/s, {Ms(SteadyCallsPerCpuSecond)} calls/CPU-s, warm-up {Ms(WarmupCpuMs)} CPU-ms (medians of {Curves})");

    public string Row => F($"| {Name} | {Ms(SpawnToReplyMs)} | {Ms(WorkerCpuMs)} | {Times} | {Ms(SteadyCallsPerSecond)} | {Ms(SteadyCallsPerCpuSecond)} | {Ms(WarmupCpuMs)} |");

    private string Times => SecondsTo90.Count == 0 ? "–" : string.Join(", ", SecondsTo90.Select(t => t is double s ? F($"{s:0.0}") : "never")) + " s";

    private static double? Median(IEnumerable<double?> values)
    {
        var list = values.Where(v => v is not null).Select(v => v!.Value).Order().ToList();
        return list.Count == 0 ? null : list[list.Count / 2];
    }

    private static string Ms(double? v) => v is double x ? F($"{x:0}") : "–";
    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
