using System.Text.Json.Serialization;

namespace Tunicorn.Control;

/// <summary>
/// One request on the control socket, a JSON object on one line: <c>{"command":"add","count":2}</c>. Built from the wire by
/// <see cref="ControlRequestParser"/>, which checks that the arguments fit the command.
/// </summary>
internal sealed record ControlRequest
{
    [JsonPropertyName("command")]
    public string Command { get; init; } = "";

    /// <summary>Workers to add or remove.</summary>
    [JsonPropertyName("count")]
    public int? Count { get; init; }

    /// <summary>The worker to kill.</summary>
    [JsonPropertyName("pid")]
    public int? Pid { get; init; }

    /// <summary>stop: quickly (QUIT) rather than gracefully (TERM).</summary>
    [JsonPropertyName("quick")]
    public bool? Quick { get; init; }

    /// <summary>upgrade: "start" (the default), "finish" or "rollback" (<see cref="ControlCommands.UpgradeStart"/> and the others).</summary>
    [JsonPropertyName("step")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Step { get; init; }
}
