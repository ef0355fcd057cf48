namespace Tunicorn.Client;

/// <summary>Per-call choices; every property is optional.</summary>
public sealed record CallOptions
{
    /// <summary>The key the consistent_hash policy routes on (a user id, a shard key); other policies ignore it.</summary>
    public string? HashKey { get; init; }

    /// <summary>The call's deadline from now, replacing <see cref="TunicornClientOptions.CallTimeout"/>; it covers
    /// waiting for servers, connecting, failing over and the call itself.</summary>
    public TimeSpan? Timeout { get; init; }
}
