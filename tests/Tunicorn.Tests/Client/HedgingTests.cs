using Tunicorn.Client;
using Tunicorn.TestSupport;

namespace Tunicorn.Tests.Client;

/// <summary>
/// Hedged calls (issue 18, item 7) on loopback ports that accept and never answer: the call's code stands in for the
/// server, hanging on its first invocation and answering on the next, so which attempt answers is up to the test.
/// </summary>
public sealed class HedgingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly CallOptions Hedged = new() { Idempotent = true, HedgeAfter = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromSeconds(20) };

    [Fact]
    public async Task FirstAttemptSilent_TheHedgeOnTheOtherServerAnswers_TheFirstIsAbandoned_CountedAsAHedge()
    {
        using var a = new LoopbackAcceptor();
        using var b = new LoopbackAcceptor();
        using var metrics = new MetricRecorder();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { ConnectTimeout = LoopbackAcceptor.ConnectTimeout, Servers = [a.Address, b.Address], MeterFactory = metrics });
        var firstCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int invocations = 0;
        CallInfo? info = null;

        int result = await client.CallAsync(async (c, ct) =>
        {
            if (Interlocked.Increment(ref invocations) == 1)
            {
                ct.Register(() => firstCancelled.TrySetResult());
                await Task.Delay(Timeout.Infinite, ct);
            }
            return 42;
        }, Hedged with { OnCompleted = i => info = i });

        Assert.Equal(42, result);
        Assert.Equal(2, invocations);
        await firstCancelled.Task.WaitAsync(Wait);
        var hedge = Assert.Single(metrics.Recorded("tunicorn.client.hedges"));
        Assert.NotNull(info);
        Assert.Null(info.Error);
        Assert.Equal(2, info.Attempts);
        Assert.NotNull(info.Server);
        // The answer came from the other server than the one that was slow.
        Assert.Equal("127.0.0.1", hedge.Tag("server.address"));
        Assert.NotEqual(info.Server.Port, Convert.ToInt32(hedge.Tag("server.port")));
        Assert.Empty(metrics.Recorded("tunicorn.client.retries"));
    }

    [Fact]
    public async Task HedgeTimerFiringBeforeTheFirstAttemptSent_HedgesOnceItHas_InsteadOfNever()
    {
        // With HedgeAfter at 1 ms the timer often fires before the first attempt has run on the thread pool (what a loaded
        // machine does to a longer HedgeAfter): the call must still hedge, not wait for its deadline.
        using var a = new LoopbackAcceptor();
        using var b = new LoopbackAcceptor();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions
        {
            ConnectTimeout = LoopbackAcceptor.ConnectTimeout,
            Servers = [a.Address, b.Address],
            MinRetriesPerSecond = 1000,
        });
        for (int i = 0; i < 30; i++)
        {
            int invocations = 0;
            int result = await client.CallAsync(async (c, ct) =>
            {
                if (Interlocked.Increment(ref invocations) == 1)
                    await Task.Delay(Timeout.Infinite, ct);
                return 42;
            }, Hedged with { HedgeAfter = TimeSpan.FromMilliseconds(1) }).WaitAsync(Wait);
            Assert.Equal(42, result);
        }
    }

    [Fact]
    public async Task NotIdempotent_WithHedgeAfter_IsRefused_BeforeAnythingIsSent()
    {
        using var a = new LoopbackAcceptor();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { ConnectTimeout = LoopbackAcceptor.ConnectTimeout, Servers = [a.Address] });
        int invocations = 0;

        var e = await Assert.ThrowsAsync<ArgumentException>(() => client.CallAsync((c, ct) => Task.FromResult(Interlocked.Increment(ref invocations)),
            new CallOptions { HedgeAfter = TimeSpan.FromMilliseconds(50) }));

        Assert.Contains("HedgeAfter is only for idempotent calls", e.Message);
        Assert.Contains("Idempotent = true", e.Message);
        Assert.Equal(0, invocations);
        await Assert.ThrowsAsync<ArgumentException>(() => client.CallAsync((c, ct) => Task.FromResult(0), Hedged with { HedgeAfter = TimeSpan.Zero }));
    }

    [Fact]
    public async Task AnswerBeforeHedgeAfter_NoHedge()
    {
        using var a = new LoopbackAcceptor();
        using var b = new LoopbackAcceptor();
        using var metrics = new MetricRecorder();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { ConnectTimeout = LoopbackAcceptor.ConnectTimeout, Servers = [a.Address, b.Address], MeterFactory = metrics });
        int invocations = 0;
        CallInfo? info = null;

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(7, await client.CallAsync((c, ct) =>
            {
                Interlocked.Increment(ref invocations);
                return Task.FromResult(7);
            }, Hedged with { HedgeAfter = TimeSpan.FromMinutes(5), OnCompleted = i => info = i }));
        }

        Assert.Equal(5, invocations);
        Assert.Equal(1, info!.Attempts);
        Assert.Empty(metrics.Recorded("tunicorn.client.hedges"));
    }

    [Fact]
    public async Task OnlyOneServer_NoHedgeToTheSameServer_TheDeadlineStillHolds()
    {
        using var a = new LoopbackAcceptor();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { ConnectTimeout = LoopbackAcceptor.ConnectTimeout, Servers = [a.Address] });
        int invocations = 0;

        var e = await Assert.ThrowsAsync<CallTimeoutException>(() => client.CallAsync(async (c, ct) =>
        {
            Interlocked.Increment(ref invocations);
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        }, Hedged with { Timeout = TimeSpan.FromSeconds(2) }).WaitAsync(Wait)); // the call must start before it: 2 s on a loaded machine

        Assert.Equal(1, invocations);
        Assert.True(e.RequestSent);
        Assert.Equal(a.Port, e.Server!.Port);
    }

    [Fact]
    public async Task NoRetryBudget_NoHedge()
    {
        using var a = new LoopbackAcceptor();
        using var b = new LoopbackAcceptor();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions
        {
            ConnectTimeout = LoopbackAcceptor.ConnectTimeout,
            Servers = [a.Address, b.Address],
            RetryBudgetRatio = 0,
            MinRetriesPerSecond = 0,
        });
        int invocations = 0;

        await Assert.ThrowsAsync<CallTimeoutException>(() => client.CallAsync(async (c, ct) =>
        {
            Interlocked.Increment(ref invocations);
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        }, Hedged with { Timeout = TimeSpan.FromSeconds(2) }).WaitAsync(Wait)); // the call must start before it: 2 s on a loaded machine

        Assert.Equal(1, invocations);
    }

    [Fact]
    public async Task BothAttemptsSilent_TheDeadlineCoversBoth_BothAreCancelled()
    {
        using var a = new LoopbackAcceptor();
        using var b = new LoopbackAcceptor();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { ConnectTimeout = LoopbackAcceptor.ConnectTimeout, Servers = [a.Address, b.Address] });
        var cancelled = new List<Task>();
        CallInfo? info = null;

        var e = await Assert.ThrowsAsync<CallTimeoutException>(() => client.CallAsync(async (c, ct) =>
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ct.Register(() => tcs.TrySetResult());
            lock (cancelled)
                cancelled.Add(tcs.Task);
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        }, Hedged with { Timeout = TimeSpan.FromSeconds(3), OnCompleted = i => info = i }).WaitAsync(Wait));

        // 3 s, not less: on a loaded machine the connects and the first attempt can take a large part of a second, and the
        // deadline must find both attempts running.
        Assert.True(e.RequestSent);
        Task[] both;
        lock (cancelled)
            both = [.. cancelled];
        Assert.Equal(2, both.Length);
        await Task.WhenAll(both).WaitAsync(Wait);
        Assert.Equal(2, info!.Attempts);
        Assert.Same(e, info.Error);
    }

    [Fact]
    public async Task HedgedCall_ThatThrowsItsOwnException_GetsItAsIs()
    {
        using var a = new LoopbackAcceptor();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { ConnectTimeout = LoopbackAcceptor.ConnectTimeout, Servers = [a.Address] });

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            client.CallAsync<int>((c, ct) => throw new InvalidOperationException("the caller's own"), Hedged));

        Assert.Equal("the caller's own", e.Message);
    }
}
