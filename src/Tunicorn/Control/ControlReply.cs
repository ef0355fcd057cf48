using System.Text.Json.Serialization;

namespace Tunicorn.Control;

/// <summary>The one reply to a request: <c>ok</c>, and either <c>error</c> or what the command returns.</summary>
internal sealed record ControlReply
{
    [JsonPropertyName("ok")]
    public bool Ok { get; init; }

    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }

    /// <summary>What a command that changes something did, in a sentence.</summary>
    [JsonPropertyName("message")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message { get; init; }

    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ServerStatus? Status { get; init; }

    [JsonPropertyName("workers")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<WorkerStatus>? Workers { get; init; }

    /// <summary>config: every setting as its text (what the config file or the command line would take).</summary>
    [JsonPropertyName("settings")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string?>? Settings { get; init; }

    /// <summary>upgrade: the masters involved and where their control sockets are.</summary>
    [JsonPropertyName("upgrade")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public UpgradeState? Upgrade { get; init; }

    public static ControlReply Failed(string error) => new() { Ok = false, Error = error };

    public static ControlReply Done(string message) => new() { Ok = true, Message = message };
}
