namespace Tunicorn.Registry;

/// <summary>
/// The background loop that keeps a registration (server) or a watch (client) going: it runs one attempt after
/// another until stopped. An attempt connects, does its work and holds on until its session, lease or watch ends;
/// when it returns the next one starts at once, when it throws the next one starts after a back-off of 200 ms,
/// doubling up to 1 s, and back to 200 ms once an attempt reports <see cref="Connected"/>.
/// </summary>
/// <remarks>
/// The back-off stays short because a registry that comes back should list this master again (and a client see the
/// servers again) within about a second, well inside the 10 s default session or lease; one retry a second costs
/// the registry nothing. The loop also tracks whether the registry is unavailable, so that an outage is logged once
/// as a warning, not once per retry.
/// </remarks>
internal sealed class ReconnectLoop : IAsyncDisposable
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);

    private readonly Func<CancellationToken, Task> _attempt;
    private readonly Func<Exception, bool, ValueTask> _failed;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _stop = new();
    private CancellationTokenSource? _linked;
    private TimeSpan _delay = FirstDelay;
    private Task? _run;

    /// <param name="attempt">One attempt; it is cancelled by <see cref="StopAsync"/>.</param>
    /// <param name="failed">
    /// Told of each failed attempt, before the back-off, and whether it is the first failure since the registry was last
    /// reachable (then say so as a warning; later failures of the same outage are debug at most).
    /// </param>
    /// <param name="timeProvider">The clock of the back-off (tests pass their own).</param>
    public ReconnectLoop(Func<CancellationToken, Task> attempt, Func<Exception, bool, ValueTask> failed, TimeProvider timeProvider)
    {
        _attempt = attempt;
        _failed = failed;
        _timeProvider = timeProvider;
    }

    public bool IsStarted => _run is not null;

    /// <summary>True from a failed attempt (or <see cref="MarkUnavailable"/>) until an attempt is <see cref="Connected"/>.</summary>
    public bool IsUnavailable { get; private set; }

    /// <summary>Starts the attempts on the thread pool; they run until <see cref="StopAsync"/> or <paramref name="cancellationToken"/>.</summary>
    public void Start(CancellationToken cancellationToken)
    {
        if (_run is not null)
            throw new InvalidOperationException("the reconnect loop is already started");
        _linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, cancellationToken);
        var token = _linked.Token;
        _run = Task.Run(() => RunAsync(token), CancellationToken.None);
    }

    /// <summary>
    /// Called by an attempt once it got through (connected and registered, or read the servers): the next failure
    /// starts a new outage and waits the first delay again. True when this ends an outage.
    /// </summary>
    public bool Connected()
    {
        bool endsOutage = IsUnavailable;
        IsUnavailable = false;
        _delay = FirstDelay;
        return endsOutage;
    }

    /// <summary>Called by an attempt that is slow rather than failed, once it has said so: its failure, if it comes, continues that outage.</summary>
    public void MarkUnavailable() => IsUnavailable = true;

    /// <summary>Cancels the attempt in progress and waits for the loop to end.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
            await _stop.CancelAsync();
        if (_run is { } run)
        {
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _linked?.Dispose();
        _stop.Dispose();
    }

    /// <summary>The delay after <paramref name="delay"/>: twice as long, at most <see cref="MaxDelay"/>.</summary>
    public static TimeSpan NextDelay(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _attempt(cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                bool firstFailure = !IsUnavailable;
                IsUnavailable = true;
                await _failed(e, firstFailure);
                try
                {
                    await Task.Delay(_delay, _timeProvider, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                _delay = NextDelay(_delay);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Stopping: whoever stops the loop takes over what the attempt held.
                return;
            }
        }
    }
}
