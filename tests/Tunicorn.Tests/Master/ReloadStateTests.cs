using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Tunicorn.Hooks;
using Tunicorn.Master;

namespace Tunicorn.Tests.Master;

/// <summary>The HUP state machine on its own: numbering, one reload at a time, the boot allowance.</summary>
public sealed class ReloadStateTests
{
    private static readonly TimeSpan Allowance = TimeSpan.FromSeconds(30);

    [Fact]
    public void Begin_WhileAReloadIsPending_Throws_AndKeepsThePendingOne()
    {
        var state = new ReloadState(new FakeTimeProvider());
        using var listeners = NoListeners();
        var first = state.Begin(ArbiterRig.Generation(1, 30), Hooks(), listeners, Allowance);

        Assert.Throws<InvalidOperationException>(() => state.Begin(ArbiterRig.Generation(1, 30), Hooks(), listeners, Allowance));
        Assert.Same(first, state.Pending);
    }

    [Fact]
    public void AbandonedGeneration_KeepsItsNumber_TheNextReloadTakesANewOne()
    {
        var state = new ReloadState(new FakeTimeProvider());
        using var listeners = NoListeners();

        Assert.Equal(1, state.Begin(ArbiterRig.Generation(1, 30), Hooks(), listeners, Allowance).Generation);
        Assert.Equal(1, state.Abandon()?.Generation);
        Assert.Equal(0, state.Serving);
        Assert.Equal(2, state.Begin(ArbiterRig.Generation(1, 30), Hooks(), listeners, Allowance).Generation);
        Assert.Equal(2, state.Commit().Generation);
        Assert.Equal(2, state.Serving);
        Assert.Null(state.Pending);
        Assert.Null(state.Abandon());
    }

    [Fact]
    public void Advance_WithoutItsWorkersBooted_WaitsForTheAllowance_ThenExpires()
    {
        var time = new FakeTimeProvider();
        var state = new ReloadState(time);
        using var listeners = NoListeners();
        Assert.Equal(ReloadState.Step.Waiting, state.Advance([]));

        state.Begin(ArbiterRig.Generation(1, 30), Hooks(), listeners, Allowance);
        time.Advance(Allowance);
        Assert.Equal(ReloadState.Step.Waiting, state.Advance([]));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ReloadState.Step.Expired, state.Advance([]));
    }

    private static ListenerSet NoListeners() => ListenerSet.Bind([], backlog: 16, reusePort: false);

    private static HookRunner Hooks() => new(new NoHooks(), NullLogger.Instance);
}
