using System.Text;
using Tunicorn.Worker;
using Tunicorn.WorkerContract;

namespace Tunicorn.Tests.WorkerContract;

/// <summary>The lines a worker sends its master, parsed as the master reads them: from the bytes received.</summary>
public sealed class WorkerReportTests
{
    // WorkerReport is internal, so a public test method takes the index of a report, not the report.
    private static readonly WorkerReport[] Sent =
    [
        WorkerReport.Booted(),
        WorkerReport.Error("certfile /x.pem: no such file"),
        WorkerReport.Stopping("max_requests (50) reached"),
        WorkerReport.Retire("OutOfMemoryException (heap full) in or near call 'hoard'"),
        WorkerReport.Heartbeat(12, 11, 250, "sleep"),
        WorkerReport.Heartbeat(3, 3, 0, null),
    ];

    public static TheoryData<int> Reports => new(Enumerable.Range(0, Sent.Length));

    [Theory]
    [MemberData(nameof(Reports))]
    public void EveryReport_ReadsBackFromItsBytes(int index)
    {
        WorkerReport sent = Sent[index];
        byte[] line = Encoding.UTF8.GetBytes(sent.Format().TrimEnd('\n'));

        Assert.True(WorkerReport.TryParse(line, lastMethod: null, out var read));
        Assert.Equal(sent, read);
    }

    [Fact]
    public void AHeartbeatWithTheSameMethodAsTheLast_ReusesItsName_SoHeartbeatsAllocateNothing()
    {
        string last = "sleep";
        byte[] line = Encoding.UTF8.GetBytes(WorkerReport.Heartbeat(5, 4, 1200, "sleep").Format().TrimEnd('\n'));

        Assert.True(WorkerReport.TryParse(line, last, out var read));
        Assert.Same(last, read.Text);
    }

    [Theory]
    [InlineData("hb 1 2")]
    [InlineData("hb x 2 3 -")]
    [InlineData("hello")]
    public void ALineThatIsNoReport_IsRefused(string text) =>
        Assert.False(WorkerReport.TryParse(Encoding.UTF8.GetBytes(text), lastMethod: null, out _));

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
