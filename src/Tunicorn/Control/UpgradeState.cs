using System.Text.Json.Serialization;

namespace Tunicorn.Control;

/// <summary>The reply of <c>upgrade</c>: the old master (the one asked) and the new one it started.</summary>
internal sealed record UpgradeState
{
    [JsonPropertyName("old_master_pid")]
    public int OldMasterPid { get; init; }

    /// <summary>Where the old master's control socket is now: PATH.2 while a new master serves PATH, when control_socket is set.</summary>
    [JsonPropertyName("old_master_socket")]
    public string? OldMasterSocket { get; init; }

    [JsonPropertyName("new_master_pid")]
    public int? NewMasterPid { get; init; }

    /// <summary>Where the new master serves its control socket once it runs.</summary>
    [JsonPropertyName("new_master_socket")]
    public string? NewMasterSocket { get; init; }

    /// <summary>The old master's target number of workers (0 after WINCH).</summary>
    [JsonPropertyName("old_master_target_workers")]
    public int OldMasterTargetWorkers { get; init; }
}
