using Tunicorn.IO;
using Xunit;

namespace Tunicorn.Tests.IO;

/// <summary>
/// Between calls the signal keeps its registration on a token from one wait to the next while the waits pass the same
/// token: a token must end only a wait it was passed to, and a reused registration must still end the wait. Other waits
/// register their token for that wait only, as a source reset between waits (the transport's I/O timer) needs.
/// </summary>
public sealed class ReadinessSignalTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TheTokenOfAnEarlierWait_DoesNotEndAWaitGivenAnotherToken()
    {
        var signal = new ReadinessSignal();
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();

        await EndOneWaitByAnEventAsync(signal, first.Token, keep: true);

        Task next = signal.WaitKeepingRegistrationAsync(signal.Events, second.Token).AsTask();
        // A token's callbacks run inside Cancel: had the first token's claimed the wait, the event after it would find
        // the wait taken, and the wait would end cancelled.
        first.Cancel();
        signal.Notify();
        await next.WaitAsync(Deadline);
    }

    [Fact]
    public async Task TheSameTokenAgain_EndsTheNextWaitWhenItFires()
    {
        var signal = new ReadinessSignal();
        using var source = new CancellationTokenSource();
        for (int i = 0; i < 3; i++)
        {
            await EndOneWaitByAnEventAsync(signal, source.Token, keep: true);
        }

        Task last = signal.WaitKeepingRegistrationAsync(signal.Events, source.Token).AsTask();
        Assert.False(last.IsCompleted);
        source.Cancel();
        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => last.WaitAsync(Deadline));
        Assert.Equal(source.Token, thrown.CancellationToken);
    }

    [Fact]
    public async Task ATokenThatFiredBetweenWaits_EndsTheNextWaitAtOnce()
    {
        var signal = new ReadinessSignal();
        using var source = new CancellationTokenSource();
        await EndOneWaitByAnEventAsync(signal, source.Token, keep: true);

        // Its callback runs now and finds no wait to end.
        source.Cancel();

        ValueTask next = signal.WaitKeepingRegistrationAsync(signal.Events, source.Token);
        Assert.True(next.IsCanceled);
    }

    [Fact]
    public async Task AfterRelease_AWaitWithTheSameTokenRegistersAgain()
    {
        var signal = new ReadinessSignal();
        using var source = new CancellationTokenSource();
        await EndOneWaitByAnEventAsync(signal, source.Token, keep: true);

        signal.ReleaseCancellation();
        Task next = signal.WaitKeepingRegistrationAsync(signal.Events, source.Token).AsTask();
        source.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Deadline));
    }

    [Fact]
    public async Task AnEventWins_OverATokenThatAlsoFired()
    {
        var signal = new ReadinessSignal();
        using var source = new CancellationTokenSource();
        long seen = signal.Events;
        signal.Notify();
        source.Cancel();
        // An event already counted completes the wait, as a read would find the bytes.
        await signal.WaitKeepingRegistrationAsync(seen, source.Token);
    }

    [Fact]
    public async Task AKeptTokenFiring_DoesNotEndAWaitThatRegisteredItsOwnToken()
    {
        var signal = new ReadinessSignal();
        using var betweenCalls = new CancellationTokenSource();
        using var inCall = new CancellationTokenSource();
        await EndOneWaitByAnEventAsync(signal, betweenCalls.Token, keep: true);

        // A call's read waits for the rest of its message while the server stops.
        Task reading = signal.WaitAsync(signal.Events, inCall.Token).AsTask();
        betweenCalls.Cancel();
        signal.Notify();
        await reading.WaitAsync(Deadline);
    }

    [Fact]
    public async Task AWaitWithATokenWhoseSourceWasResetBetweenWaits_StillEndsWhenItFires()
    {
        var signal = new ReadinessSignal();
        using var timer = new CancellationTokenSource();
        await EndOneWaitByAnEventAsync(signal, timer.Token, keep: false);
        Assert.True(timer.TryReset());

        Task next = signal.WaitAsync(signal.Events, timer.Token).AsTask();
        timer.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Deadline));
    }

    /// <summary>One wait, with its token registered (kept or for that wait only), ended by a readiness event.</summary>
    private static async Task EndOneWaitByAnEventAsync(ReadinessSignal signal, CancellationToken token, bool keep)
    {
        ValueTask waiting = keep ? signal.WaitKeepingRegistrationAsync(signal.Events, token) : signal.WaitAsync(signal.Events, token);
        signal.Notify();
        await waiting;
    }
}
