using System.Text.Json.Serialization;

namespace Tunicorn.Control;

/// <summary>The reply of <c>status</c>.</summary>
internal sealed record ServerStatus
{
    [JsonPropertyName("pid")]
    public int Pid { get; init; }

    [JsonPropertyName("uptime_seconds")]
    public double UptimeSeconds { get; init; }

    /// <summary>The generation that serves: 0 at start, one more at each completed reload.</summary>
    [JsonPropertyName("generation")]
    public int Generation { get; init; }

    /// <summary>A reload under way: the generation it starts.</summary>
    [JsonPropertyName("reloading_generation")]
    public int? ReloadingGeneration { get; init; }

    [JsonPropertyName("target_workers")]
    public int TargetWorkers { get; init; }

    [JsonPropertyName("workers")]
    public int Workers { get; init; }

    [JsonPropertyName("listeners")]
    public IReadOnlyList<string> Listeners { get; init; } = [];

    [JsonPropertyName("settings_file")]
    public string? SettingsFile { get; init; }

    [JsonPropertyName("app")]
    public string? App { get; init; }

    /// <summary>A binary upgrade under way: the new master this one started (USR2), until it exits.</summary>
    [JsonPropertyName("new_master_pid")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? NewMasterPid { get; init; }
}
