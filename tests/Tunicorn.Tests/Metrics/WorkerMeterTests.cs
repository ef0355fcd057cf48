using System.Diagnostics.Metrics;
using Tunicorn.Metrics;
using Tunicorn.Thrift;
using Tunicorn.WorkerContract;

namespace Tunicorn.Tests.Metrics;

/// <summary>The worker's in-process meter (Tunicorn.Server), whose instruments are made at the first answered call, not at boot.</summary>
public sealed class WorkerMeterTests
{
    [Fact]
    public void EveryCallsDuration_TheFirstOneIncluded_ReachesAListenerOfTheMeter()
    {
        // A method name of its own: other tests' workers record on the same process-wide instruments meanwhile.
        string method = "meter_test_" + Guid.NewGuid().ToString("N");
        var durations = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == WorkerMetrics.MeterName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == MetricNames.RpcMethod && tag.Value is string name && name.EndsWith(method, StringComparison.Ordinal))
                {
                    lock (durations)
                        durations.Add(value);
                }
            }
        });
        listener.Start();
        using var metrics = new WorkerMetrics(MetricsBoard.Of(ConnectionBoard.Create()), 0, "S");
        var connection = new ConnectionInfo { Id = 1, Peer = "127.0.0.1:1", LocalEndPoint = "127.0.0.1:2" };

        for (int i = 1; i <= 3; i++)
        {
            metrics.CallStarted();
            metrics.CallCompleted(new ThriftCall
            {
                Method = method,
                SeqId = i,
                IsOneway = false,
                Connection = connection,
                StartTimestamp = 0,
                Result = ThriftCall.ResultOk,
                Duration = TimeSpan.FromMilliseconds(i),
                RequestBytes = 10,
                ResponseBytes = 10,
            });
        }

        lock (durations)
            Assert.Equal([0.001, 0.002, 0.003], durations);
    }
}
