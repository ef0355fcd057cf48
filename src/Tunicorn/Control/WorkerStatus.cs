using System.Text.Json.Serialization;

namespace Tunicorn.Control;

/// <summary>One row of the reply of <c>workers</c>; the calls come from the worker's latest heartbeat.</summary>
internal sealed record WorkerStatus
{
    [JsonPropertyName("pid")]
    public int Pid { get; init; }

    [JsonPropertyName("generation")]
    public int Generation { get; init; }

    /// <summary>The spawn order (gunicorn's worker age): the oldest worker has the smallest.</summary>
    [JsonPropertyName("age")]
    public int Age { get; init; }

    [JsonPropertyName("uptime_seconds")]
    public double UptimeSeconds { get; init; }

    [JsonPropertyName("booted")]
    public bool Booted { get; init; }

    /// <summary>Sent TERM (a reload, remove, kill): it finishes its calls and exits.</summary>
    [JsonPropertyName("retiring")]
    public bool Retiring { get; init; }

    [JsonPropertyName("calls_served")]
    public long CallsServed { get; init; }

    [JsonPropertyName("calls_in_flight")]
    public long CallsInFlight { get; init; }

    [JsonPropertyName("oldest_call_method")]
    public string? OldestCallMethod { get; init; }

    [JsonPropertyName("oldest_call_seconds")]
    public double? OldestCallSeconds { get; init; }

    [JsonPropertyName("connections")]
    public int Connections { get; init; }

    /// <summary>Resident memory from /proc/PID/status; null when it could not be read (the worker just exited).</summary>
    [JsonPropertyName("rss_bytes")]
    public long? RssBytes { get; init; }
}
