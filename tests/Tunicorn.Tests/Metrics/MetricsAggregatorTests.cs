using Tunicorn.Config;
using Tunicorn.Metrics;
using Tunicorn.Thrift;
using Tunicorn.WorkerContract;

namespace Tunicorn.Tests.Metrics;

/// <summary>Workers count into their slots through a second mapping of the board; the master sums them and keeps what exited workers counted.</summary>
public sealed class MetricsAggregatorTests
{
    private static ThriftCall Call(string method, string result, double seconds, ConnectionInfo connection) => new()
    {
        Method = method,
        SeqId = 1,
        IsOneway = false,
        Connection = connection,
        StartTimestamp = 0,
        Result = result,
        Duration = TimeSpan.FromSeconds(seconds),
        RequestBytes = 100,
        ResponseBytes = 2000,
    };

    private static ConnectionInfo Connection() => new() { Id = 1, Peer = "127.0.0.1:1", LocalEndPoint = "127.0.0.1:2" };

    [Fact]
    public void CallsOfEveryWorker_AreSummed_AndAnExitedWorkersCallsAreKept()
    {
        var master = ConnectionBoard.Create();
        using var aggregator = new MetricsAggregator(master);
        aggregator.Assign(0, 100);
        aggregator.Assign(1, 101);
        var workerBoard = MetricsBoard.Of(ConnectionBoard.Open(master.Descriptor));
        var first = new WorkerMetrics(workerBoard, 0, "Calculator");
        var second = new WorkerMetrics(workerBoard, 1, "Calculator");
        var connection = Connection();
        for (int i = 0; i < 5; i++)
        {
            first.CallStarted();
            first.CallCompleted(Call("add", ThriftCall.ResultOk, 0.0003, connection));
        }
        second.CallStarted();
        second.CallCompleted(Call("Calculator:calculate", "InvalidOperation", 2, connection));
        second.CallStarted(); // still in flight
        first.Publish();
        second.Publish();

        var before = aggregator.Collect(withMemory: false);
        var add = Assert.Single(before.Series, s => s.Method == "Calculator/add");
        Assert.Null(add.ErrorType);
        Assert.Equal(5, add.Count);
        Assert.Equal(5, add.DurationBuckets[MetricBuckets.DurationBucket(TimeSpan.FromSeconds(0.0003).Ticks)]);
        Assert.Equal(500, add.RequestBytes);
        var failed = Assert.Single(before.Series, s => s.Method == "Calculator/calculate");
        Assert.Equal("InvalidOperation", failed.ErrorType);
        Assert.Equal(1, before.CallsInFlight);
        Assert.Equal(2, before.WorkersSpawned);

        aggregator.Retire(0, WorkerExitReason.Normal);
        aggregator.Assign(0, 102); // the slot is reused by a new worker, which starts from zero
        var next = new WorkerMetrics(workerBoard, 0, "Calculator");
        next.CallStarted();
        next.CallCompleted(Call("add", ThriftCall.ResultOk, 0.0003, connection));
        next.Publish();

        var after = aggregator.Collect(withMemory: false);
        Assert.Equal(6, Assert.Single(after.Series, s => s.Method == "Calculator/add" && s.ErrorType is null).Count);
        Assert.Equal(1, after.WorkersExited[WorkerExitReason.Normal]);
        Assert.Equal(2, after.WorkersAlive);
    }

    [Fact]
    public void CallsCountedOnManyThreads_ReachTheBoardWhenPublished_AndAFinishedThreadsCallsStay()
    {
        var master = ConnectionBoard.Create();
        using var aggregator = new MetricsAggregator(master);
        aggregator.Assign(0, 100);
        var worker = new WorkerMetrics(MetricsBoard.Of(ConnectionBoard.Open(master.Descriptor)), 0, "S");
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            var connection = new ConnectionInfo { Id = t, Peer = "127.0.0.1:1", LocalEndPoint = "127.0.0.1:2" };
            for (int i = 0; i < 1000; i++)
            {
                worker.CallStarted();
                worker.CallCompleted(Call("add", ThriftCall.ResultOk, 0.0003, connection));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        // A call that started on one thread and ends on another, as an async worker's calls do.
        var started = new Thread(worker.CallStarted);
        started.Start();
        started.Join();

        // The series is claimed on the board at once; its counts arrive with the next publication.
        var unpublished = aggregator.Collect(withMemory: false);
        Assert.Equal(0, Assert.Single(unpublished.Series).Count);
        Assert.Equal(0, unpublished.CallsInFlight);
        worker.Publish();
        var published = aggregator.Collect(withMemory: false);
        Assert.Equal(4000, Assert.Single(published.Series).Count);
        Assert.Equal(1, published.CallsInFlight);

        worker.CallCompleted(Call("add", ThriftCall.ResultOk, 0.0003, Connection()));
        worker.Dispose(); // a worker's exit publishes what it counted since the last time
        var exited = aggregator.Collect(withMemory: false);
        Assert.Equal(4001, Assert.Single(exited.Series).Count);
        Assert.Equal(0, exited.CallsInFlight);
    }

    [Fact]
    public void AKilledWorkersInFlightCalls_AndConnections_EndWithIt_ButItsConnectionCountStays()
    {
        var master = ConnectionBoard.Create();
        using var aggregator = new MetricsAggregator(master);
        aggregator.Assign(3, 100);
        var worker = new WorkerMetrics(MetricsBoard.Of(ConnectionBoard.Open(master.Descriptor)), 3, "S");
        var connection = Connection();
        worker.ConnectionOpened(connection);
        worker.ConnectionDetected(connection, ThriftProtocolKind.Compact, ThriftTransportKind.Framed);
        worker.CallStarted();
        worker.Publish();

        var live = aggregator.Collect(withMemory: false);
        int compactFramed = ConnectionFormat.Of(ThriftProtocolKind.Compact, ThriftTransportKind.Framed);
        Assert.Equal(1, live.ConnectionsActive[compactFramed]);
        Assert.Equal(0, live.ConnectionsActive[ConnectionFormat.Unknown]);
        Assert.Equal(1, live.ConnectionsTotal[compactFramed]);

        aggregator.Retire(3, WorkerExitReason.Crash);
        var dead = aggregator.Collect(withMemory: false);
        Assert.Equal(0, dead.ConnectionsActive[compactFramed]);
        Assert.Equal(0, dead.CallsInFlight);
        Assert.Equal(1, dead.ConnectionsTotal[compactFramed]);
    }

    [Fact]
    public void MoreSeriesThanTheSlotHolds_GoToTheOverflowSeries()
    {
        var master = ConnectionBoard.Create();
        using var aggregator = new MetricsAggregator(master);
        aggregator.Assign(0, 100);
        var worker = new WorkerMetrics(MetricsBoard.Of(master), 0, "S");
        var connection = Connection();
        for (int i = 0; i < MetricsBoard.MaxSeries + 10; i++)
        {
            worker.CallStarted();
            worker.CallCompleted(Call("m" + i, ThriftCall.ResultOk, 0.001, connection));
        }
        worker.Publish();
        var totals = aggregator.Collect(withMemory: false);
        Assert.Equal(MetricsBoard.MaxSeries, totals.Series.Count());
        Assert.Equal(11, Assert.Single(totals.Series, s => s.Method == MetricsBoard.OverflowMethod).Count);
        Assert.Equal(MetricsBoard.MaxSeries + 10, totals.Series.Sum(s => s.Count));
    }

    [Theory]
    [InlineData("add", "Calculator/add")]
    [InlineData("Shared:getStruct", "Shared/getStruct")]
    public void RpcMethod_IsServiceSlashMethod(string wire, string expected) =>
        Assert.Equal(expected, WorkerMetrics.RpcMethod(wire, "Calculator"));

    [Theory]
    [InlineData(ThriftCall.ResultOk, null)]
    [InlineData(ThriftCall.ResultTransportError, "transport_error")]
    [InlineData(ThriftCall.ResultProtocolError, "protocol_error")]
    [InlineData(ThriftCall.ResultApplicationException, "TApplicationException")]
    [InlineData("InvalidOperation", "InvalidOperation")]
    public void ErrorType_NamesWhatFailed(string result, string? expected) => Assert.Equal(expected, WorkerMetrics.ErrorType(result));

    [Fact]
    public void Quantile_InterpolatesInsideTheBucket()
    {
        long[] counts = new long[MetricBuckets.DurationCount];
        counts[3] = 100; // (0.0005, 0.001]
        Assert.Equal(0.00075, MetricBuckets.Quantile(counts, MetricBuckets.DurationSeconds, 0.5)!.Value, 6);
        Assert.Null(MetricBuckets.Quantile(new long[MetricBuckets.DurationCount], MetricBuckets.DurationSeconds, 0.5));
    }

    [Theory]
    [InlineData(0, true, false, false, false, WorkerExitReason.Normal)]
    [InlineData(137, true, true, false, false, WorkerExitReason.Timeout)]
    [InlineData(137, true, false, false, false, WorkerExitReason.Crash)]
    [InlineData(143, false, false, true, false, WorkerExitReason.Signal)]
    [InlineData(3, false, false, false, true, WorkerExitReason.BootError)]
    [InlineData(1, true, false, false, false, WorkerExitReason.Crash)]
    public void WorkerExitReason_ClassifiesExits(int code, bool booted, bool killed, bool asked, bool bootCode, string expected) =>
        Assert.Equal(expected, WorkerExitReason.Of(code, booted, killed, asked, bootCode));
}
