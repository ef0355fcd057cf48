using Tunicorn.Worker;

namespace Tunicorn.Tests.Worker;

public sealed class WorkerReportTests
{
    [Fact]
    public void Retire_RoundTripsWithItsReason_OnOneLine()
    {
        string line = WorkerReport.Retire("OutOfMemoryException (heap full)\nin or near call 'hoard'").Format();
        Assert.Equal("retire OutOfMemoryException (heap full) in or near call 'hoard'\n", line);

        Assert.True(WorkerReport.TryParse(line.TrimEnd('\n'), out var report));
        Assert.Equal(WorkerReportKind.Retire, report.Kind);
        Assert.Equal("OutOfMemoryException (heap full) in or near call 'hoard'", report.Text);
    }

    [Theory]
    [InlineData(typeof(OutOfMemoryException), true)]
    [InlineData(typeof(InsufficientMemoryException), false)]
    [InlineData(typeof(InsufficientExecutionStackException), false)]
    [InlineData(typeof(InvalidOperationException), false)]
    public void IsFatal_OnlyOutOfMemory_NotTheChecksThatThrowBeforeAnythingBreaks(Type type, bool fatal) =>
        Assert.Equal(fatal, WorkerBase.IsFatal((Exception)Activator.CreateInstance(type)!));
}
