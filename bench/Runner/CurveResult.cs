namespace Tunicorn.Bench.Runner;

/// <summary>
/// A freshly started server's first seconds under load (64 connections, no warm-up): calls per second in each
/// slice, from the first call LoadGen sends. Steady is the mean of the last 40 % of the slices.
/// </summary>
public sealed record CurveResult(ServerSpec Server, int Round, int SliceMs, List<long> Slices)
{
    public double SliceSeconds => SliceMs / 1000.0;

    public double SteadyCallsPerSecond
    {
        get
        {
            int tail = Math.Max(1, Slices.Count * 2 / 5);
            return Slices.Count == 0 ? 0 : Slices.Skip(Slices.Count - tail).Average() / SliceSeconds;
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
