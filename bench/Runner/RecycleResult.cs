namespace Tunicorn.Bench.Runner;

/// <summary>
/// One pair of points with the same Tunicorn server at 64 connections: without max_requests and with a
/// max_requests that recycles each worker about every 10 s; <see cref="Recycled"/> counts the workers booted
/// during the recycling window.
/// </summary>
public sealed record RecycleResult(int Pair, int MaxRequests, PointResult Plain, PointResult Recycling, int Recycled)
{
    public double Ratio => Plain.Load.CallsPerSecond > 0 ? Recycling.Load.CallsPerSecond / Plain.Load.CallsPerSecond : 0;
}
