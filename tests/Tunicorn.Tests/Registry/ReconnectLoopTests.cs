using Tunicorn.Registry;

namespace Tunicorn.Tests.Registry;

/// <summary>
/// The loop under the etcd and ZooKeeper registries and discoveries, driven by a scripted attempt: each test's
/// attempt does one scripted step per call, and once the script is done waits to be stopped.
/// </summary>
public sealed class ReconnectLoopTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly DelayRecordingTimeProvider _clock = new();
    private readonly List<bool> _firstFailures = [];
    private readonly List<string> _failureMessages = [];
    private readonly TaskCompletionSource _scriptDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public async Task FailedAttempts_WaitTwiceAsLongEachTime_UpToOneSecond()
    {
        await RunScriptAsync(Fail, Fail, Fail, Fail, Fail, Fail);

        Assert.Equal([200, 400, 800, 1000, 1000, 1000], _clock.Delays.Select(d => d.TotalMilliseconds));
    }

    [Fact]
    public async Task FailedAttempts_OnlyTheFirstOfAnOutageIsReportedAsFirst()
    {
        await RunScriptAsync(Fail, Fail, Fail);

        Assert.Equal([true, false, false], _firstFailures);
        Assert.Equal(["attempt 1", "attempt 2", "attempt 3"], _failureMessages);
    }

    [Fact]
    public async Task Connected_EndsTheOutage_AndTheNextFailureWaitsTheFirstDelayAgain()
    {
        var endedOutage = new List<bool>();

        await RunScriptAsync(
            Fail,
            Fail,
            (loop, n) =>
            {
                endedOutage.Add(loop.Connected());
                endedOutage.Add(loop.Connected());
                throw new IOException($"attempt {n}");
            },
            Fail);

        Assert.Equal([true, false], endedOutage);
        Assert.Equal([true, false, true, false], _firstFailures);
        Assert.Equal([200, 400, 200, 400], _clock.Delays.Select(d => d.TotalMilliseconds));
    }

    [Fact]
    public async Task AnAttemptThatReturns_RunsAgainAtOnce_WithoutBackOffOrFailure()
    {
        int attempts = await RunScriptAsync(Return, Return, Return);

        Assert.Equal(4, attempts);
        Assert.Empty(_clock.Delays);
        Assert.Empty(_firstFailures);
    }

    [Fact]
    public async Task MarkUnavailable_TheFailureThatFollowsContinuesTheOutage()
    {
        await RunScriptAsync((loop, n) =>
        {
            loop.MarkUnavailable();
            throw new IOException($"attempt {n}");
        });

        Assert.Equal([false], _firstFailures);
    }

    [Fact]
    public async Task Stop_CancelsTheAttemptInProgress_WhichIsNoFailure()
    {
        var loop = NewLoop(async ct => await Task.Delay(Timeout.InfiniteTimeSpan, ct));
        loop.Start(CancellationToken.None);

        await loop.StopAsync().WaitAsync(Deadline);
        await loop.DisposeAsync();

        Assert.Empty(_firstFailures);
        Assert.Empty(_clock.Delays);
    }

    [Fact]
    public async Task Start_Twice_IsRefused()
    {
        await using var loop = NewLoop(async ct => await Task.Delay(Timeout.InfiniteTimeSpan, ct));
        loop.Start(CancellationToken.None);

        Assert.True(loop.IsStarted);
        Assert.Throws<InvalidOperationException>(() => loop.Start(CancellationToken.None));
    }

    [Theory]
    [InlineData(200, 400)]
    [InlineData(600, 1000)]
    [InlineData(1000, 1000)]
    public void NextDelay_Doubles_UpToTheMaximum(int delayMs, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), ReconnectLoop.NextDelay(TimeSpan.FromMilliseconds(delayMs)));

    private static Task Fail(ReconnectLoop loop, int attempt) => throw new IOException($"attempt {attempt}");

    private static Task Return(ReconnectLoop loop, int attempt) => Task.CompletedTask;

    /// <summary>Runs the steps, one per attempt, then stops the loop; returns how many attempts ran.</summary>
    private async Task<int> RunScriptAsync(params Func<ReconnectLoop, int, Task>[] steps)
    {
        int attempts = 0;
        ReconnectLoop? loop = null;
        loop = NewLoop(async ct =>
        {
            int n = ++attempts;
            if (n <= steps.Length)
            {
                await steps[n - 1](loop!, n);
                return;
            }
            _scriptDone.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        });
        loop.Start(CancellationToken.None);
        await _scriptDone.Task.WaitAsync(Deadline);
        await loop.DisposeAsync();
        return attempts;
    }

    private ReconnectLoop NewLoop(Func<CancellationToken, Task> attempt) =>
        new(attempt, (e, first) =>
        {
            _firstFailures.Add(first);
            _failureMessages.Add(e.Message);
            return ValueTask.CompletedTask;
        }, _clock);
}
