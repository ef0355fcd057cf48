using Tunicorn.Thrift;

namespace Tunicorn.Tests.Thrift;

public sealed class MessageMemoryBudgetTests
{
    [Fact]
    public void ResidentBytes_IsTheResidentMemoryEnvironmentWorkingSetReports()
    {
        // Both read the kernel's resident set size of this process; a few MB may be touched between the two reads.
        long before = Environment.WorkingSet;
        long resident = MessageMemoryBudget.ResidentBytes();
        long after = Environment.WorkingSet;

        Assert.True(resident > 0);
        Assert.InRange(resident, Math.Min(before, after) - 8L * 1024 * 1024, Math.Max(before, after) + 8L * 1024 * 1024);
        Assert.Equal(0, resident % Environment.SystemPageSize);
    }
}
