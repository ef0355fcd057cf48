using Tunicorn.Client;

namespace Tunicorn.Tests.Client;

public sealed class RetryBudgetTests
{
    [Fact]
    public void TryWithdraw_AFifthOfTheCalls_PlusTheMinimumPerSecond()
    {
        var clock = new ManualTimeProvider();
        var budget = new RetryBudget(0.2, 10, clock);

        for (int i = 0; i < 100; i++)
            budget.Deposit();
        int allowed = 0;
        while (budget.TryWithdraw())
            allowed++;

        Assert.Equal(30, allowed);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(budget.TryWithdraw());
    }
}
