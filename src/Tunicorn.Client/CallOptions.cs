namespace Tunicorn.Client;

/// <summary>Per-call choices; every property is optional.</summary>
public sealed record CallOptions
{
    /// <summary>The key the consistent_hash policy routes on (a user id, a shard key); other policies ignore it.</summary>
    public string? HashKey { get; init; }

    /// <summary>
    /// The call's deadline from now, replacing <see cref="TunicornClientOptions.CallTimeout"/>; it covers waiting for
    /// servers, connecting, failing over and the call itself, and the client enforces it whatever the call's code does
    /// with its token. For a lease, it is the lease's deadline.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// The method may run twice without harm (a read, a put of the same value): when the call fails after it was sent,
    /// because the server closed or reset the connection (it died, or stopped), it is sent again to another server
    /// within the deadline, as long as the client's retry budget allows (<see cref="TunicornClientOptions.RetryBudgetRatio"/>).
    /// Off by default: a call that fails after it was sent may have run.
    /// </summary>
    public bool Idempotent { get; init; }

    /// <summary>
    /// Hedging: when the call has not answered after this long, the same call is sent to another server (never the
    /// same one) on another connection, and the first answer wins; the other attempt is abandoned, its connection
    /// closed. At most one hedge per call; it draws from the retry budget like a retry (no budget, no hedge), and the
    /// deadline covers both attempts. Only for calls marked <see cref="Idempotent"/>: the method may run on both
    /// servers. Null (the default) sends no hedge, and costs nothing.
    /// </summary>
    public TimeSpan? HedgeAfter { get; init; }

    /// <summary>
    /// Called once the call ended, before CallAsync returns or throws, with the server it went to, the method, the
    /// duration, the attempts and the error (<see cref="CallInfo"/>). It runs on the caller's flow and should be quick;
    /// an exception it throws is logged (event 5030) and does not change the call's outcome.
    /// </summary>
    public Action<CallInfo>? OnCompleted { get; init; }
}
