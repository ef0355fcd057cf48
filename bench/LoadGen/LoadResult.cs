using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace Tunicorn.Bench.LoadGen;

/// <summary>What one load run measured. Latencies are in microseconds; CPU in seconds of this process.</summary>
public sealed record LoadResult
{
    public required string Call { get; init; }
    public required int Size { get; init; }
    public required string Transport { get; init; }
    public required string Mode { get; init; }
    public required int Connections { get; init; }
    public required double WarmupSeconds { get; init; }
    public required double MeasuredSeconds { get; init; }
    public required long Calls { get; init; }
    public required double CallsPerSecond { get; init; }
    public required double P50Us { get; init; }
    public required double P90Us { get; init; }
    public required double P99Us { get; init; }
    public required double P999Us { get; init; }
    public required double MaxUs { get; init; }
    public required double MeanUs { get; init; }
    /// <summary>Errors while measuring, all kinds.</summary>
    public required long Errors { get; init; }
    public required Dictionary<string, long> ErrorsByKind { get; init; }
    public required long WarmupCalls { get; init; }
    public required long WarmupErrors { get; init; }
    /// <summary>Connections that completed at least one call while measuring (the others waited, e.g. in a listen backlog).</summary>
    public required int ConnectionsServed { get; init; }
    /// <summary>Connections whose call was still unanswered when the run ended.</summary>
    public required int PendingAtEnd { get; init; }
    public required double LoadGenCpuSeconds { get; init; }
    public required double LoadGenCpuCores { get; init; }
    /// <summary>Managed bytes LoadGen allocated per measured call: about 0 when the call loop is allocation-free as intended.</summary>
    public required double LoadGenAllocatedBytesPerCall { get; init; }
    public required List<string> FirstErrors { get; init; }
    /// <summary>Width of a <see cref="Timeline"/> slice; 0 when no timeline was asked for.</summary>
    public int TimelineMs { get; init; }
    /// <summary>Calls completed in each slice of the measured window, in order (--timeline-ms).</summary>
    public List<long> Timeline { get; init; } = [];

    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"{Call}{(Call == "echo" ? $" of {Size} bytes" : "")} over {Transport}, {Connections} connections ({Mode}): {MeasuredSeconds:0.00} s measured after {WarmupSeconds:0.0} s warm-up");
        text.AppendLine(c, $"  calls      {Calls} ({CallsPerSecond:0.0}/s), connections served {ConnectionsServed}/{Connections}, unanswered at end {PendingAtEnd}");
        text.AppendLine(c, $"  latency    p50 {P50Us:0.0} µs  p90 {P90Us:0.0}  p99 {P99Us:0.0}  p99.9 {P999Us:0.0}  max {MaxUs:0.0}  mean {MeanUs:0.0}");
        text.AppendLine(c, $"  errors     {Errors}{(Errors > 0 ? " (" + string.Join(", ", ErrorsByKind.Where(e => e.Value > 0).Select(e => $"{e.Key} {e.Value}")) + ")" : "")}, during warm-up {WarmupErrors}");
        text.AppendLine(c, $"  loadgen    {LoadGenCpuSeconds:0.00} CPU s ({LoadGenCpuCores:0.00} cores), {LoadGenAllocatedBytesPerCall:0.##} bytes allocated per call");
        foreach (string error in FirstErrors)
            text.AppendLine(c, $"  error: {error}");
        return text.ToString();
    }
}
