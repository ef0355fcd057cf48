namespace Tunicorn.Bench.Runner;

/// <summary>
/// A freshly started server's first seconds under load (64 connections, no warm-up): calls per second in each
/// slice, from the first call LoadGen sends. Steady is the mean of the last 40 % of the slices.
/// </summary>
public sealed record CurveResult(ServerSpec Server, int Round, int SliceMs, List<long> Slices)
{
    public double SliceSeconds => SliceMs / 1000.0;

    /// <summary>Server CPU seconds (all its processes' threads) in each slice, as far as sampled.</summary>
    public List<double> CpuSeconds { get; init; } = [];

    private int Tail(int count) => Math.Max(1, count * 2 / 5);

    /// <summary>Calls per server CPU-second over the last 40 % of the slices.</summary>
    public double SteadyCallsPerCpuSecond
    {
        get
        {
            int n = Math.Min(Slices.Count, CpuSeconds.Count);
            if (n == 0)
                return 0;
            int from = n - Tail(n);
            double cpu = CpuSeconds.Skip(from).Take(n - from).Sum();
            return cpu > 0 ? Slices.Skip(from).Take(n - from).Sum() / cpu : 0;
        }
    }

    /// <summary>End of the first slice whose calls per CPU-second reach 90 % of steady; null if none.</summary>
    public double? SecondsTo90Efficiency
    {
        get
        {
            double steady = SteadyCallsPerCpuSecond;
            int n = Math.Min(Slices.Count, CpuSeconds.Count);
            for (int i = 0; i < n && steady > 0; i++)
                if (CpuSeconds[i] > 0 && Slices[i] / CpuSeconds[i] >= 0.9 * steady)
                    return (i + 1) * SliceSeconds;
            return null;
        }
    }

    /// <summary>
    /// CPU seconds the server spent over the first 2 s beyond what its calls there would cost at the steady rate per
    /// CPU-second: the price of JIT, tiering and slow first code, little affected by other work on the machine.
    /// </summary>
    public double WarmupOverheadCpuSeconds
    {
        get
        {
            double steady = SteadyCallsPerCpuSecond;
            int n = Math.Min(Math.Min(Slices.Count, CpuSeconds.Count), (int)Math.Round(2 / SliceSeconds));
            return steady <= 0 ? 0 : Enumerable.Range(0, n).Sum(i => CpuSeconds[i] - Slices[i] / steady);
        }
    }

    public double SteadyCallsPerSecond
    {
        get
        {
            return Slices.Count == 0 ? 0 : Slices.Skip(Slices.Count - Tail(Slices.Count)).Average() / SliceSeconds;
        }
    }

    /// <summary>End of the first slice at 90 % of steady or more, in seconds from the first call; null if none.</summary>
    public double? SecondsTo90
    {
        get
        {
            double steady = SteadyCallsPerSecond;
            int i = Slices.FindIndex(s => s / SliceSeconds >= 0.9 * steady);
            return steady <= 0 || i < 0 ? null : (i + 1) * SliceSeconds;
        }
    }

    /// <summary>Calls per second over the slices in [from, to) seconds, divided by steady.</summary>
    public double ShareOfSteady(double from, double to)
    {
        var slices = Slices.Skip((int)Math.Round(from / SliceSeconds)).Take((int)Math.Round((to - from) / SliceSeconds)).ToList();
        double steady = SteadyCallsPerSecond;
        return slices.Count == 0 || steady <= 0 ? 0 : slices.Average() / SliceSeconds / steady;
    }
}
