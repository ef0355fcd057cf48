using Tunicorn.Bench.LoadGen;

namespace Tunicorn.Bench.Runner;

/// <summary>
/// One load point: a server at one connection count. Server CPU is utime + stime summed over all its processes
/// during LoadGen's measured window; memory is RSS and PSS summed over its processes at the end of that window.
/// </summary>
public sealed record PointResult(
    ServerSpec Server,
    LoadResult Load,
    double ServerCpuSeconds,
    MemoryUse Memory,
    int Processes,
    double MachineBusySeconds)
{
    /// <summary>
    /// Cores busy with anything but this server and LoadGen during the window (other builds and tests on the
    /// machine, the runner): the noise behind this point.
    /// </summary>
    public double OtherCores => Load.MeasuredSeconds > 0
        ? Math.Max(0, MachineBusySeconds / Load.MeasuredSeconds - ServerCpuCores - Load.LoadGenCpuCores)
        : 0;

    /// <summary>calls/s of every round of this point (the record itself is the median round).</summary>
    public IReadOnlyList<double> RoundCallsPerSecond { get; init; } = [];

    /// <summary>(max − min) ÷ median of calls/s over the rounds: how much the machine's noise moved this point.</summary>
    public double RoundSpread => RoundCallsPerSecond.Count < 2 || Load.CallsPerSecond <= 0
        ? 0 : (RoundCallsPerSecond.Max() - RoundCallsPerSecond.Min()) / Load.CallsPerSecond;

    /// <summary>Some connections never got a call answered (sync workers hold one connection each): latency covers only the served ones.</summary>
    public bool PartlyServed => Load.ConnectionsServed < Load.Connections;

    public double ServerCpuCores => Load.MeasuredSeconds > 0 ? ServerCpuSeconds / Load.MeasuredSeconds : 0;

    /// <summary>Calls per second of server CPU: efficiency, independent of how many cores the server got.</summary>
    public double CallsPerCpuSecond => ServerCpuSeconds > 0 ? Load.Calls / ServerCpuSeconds : 0;
}
