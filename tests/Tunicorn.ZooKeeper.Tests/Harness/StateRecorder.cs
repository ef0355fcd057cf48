using System.Threading.Channels;

namespace Tunicorn.ZooKeeper.Tests.Harness;

/// <summary>Records a client's state changes in order, and waits for one with a deadline.</summary>
internal sealed class StateRecorder
{
    private readonly Channel<ZooKeeperState> _changes = Channel.CreateUnbounded<ZooKeeperState>();
    private readonly List<ZooKeeperState> _seen = [];

    public StateRecorder(ZooKeeperClient client) =>
        client.StateChanged += (_, change) => _changes.Writer.TryWrite(change.State);

    /// <summary>The states waited through so far, in order.</summary>
    public IReadOnlyList<ZooKeeperState> Seen => _seen;

    /// <summary>
    /// Waits for the change to Connected that <see cref="ZooKeeperClient.ConnectAsync"/> caused (events are
    /// delivered on the client's own loop, possibly after ConnectAsync returned) and forgets it, so that
    /// <see cref="Seen"/> then holds only what happened after.
    /// </summary>
    public async Task SkipInitialConnectAsync(TimeSpan timeout)
    {
        await WaitForAsync(ZooKeeperState.Connected, timeout);
        _seen.Clear();
    }

    /// <summary>Consumes changes until <paramref name="state"/> comes; the ones before it are in <see cref="Seen"/>.</summary>
    public async Task WaitForAsync(ZooKeeperState state, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                ZooKeeperState next = await _changes.Reader.ReadAsync(deadline.Token);
                _seen.Add(next);
                if (next == state)
                    return;
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"no change to {state} within {timeout.TotalSeconds:0.#} s; seen: {string.Join(", ", _seen)}");
        }
    }
}
