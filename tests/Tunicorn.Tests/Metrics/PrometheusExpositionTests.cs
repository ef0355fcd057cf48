using Tunicorn.Metrics;
using Tunicorn.Thrift;
using Tunicorn.WorkerContract;

namespace Tunicorn.Tests.Metrics;

public sealed class PrometheusExpositionTests
{
    private static MetricsTotals OneCall()
    {
        var master = ConnectionBoard.Create();
        using var aggregator = new MetricsAggregator(master);
        aggregator.Assign(0, 100);
        var worker = new WorkerMetrics(MetricsBoard.Of(master), 0, "Calc\"ulator");
        worker.CallStarted();
        worker.CallCompleted(new ThriftCall
        {
            Method = "add", SeqId = 1, IsOneway = false, StartTimestamp = 0, Result = "Bad\\Thing",
            Connection = new ConnectionInfo { Id = 1, Peer = "p", LocalEndPoint = "l" },
            Duration = TimeSpan.FromMilliseconds(3),
        });
        worker.Publish();
        return aggregator.Collect(withMemory: false);
    }

    [Fact]
    public void TextFormat_HasCumulativeBuckets_EscapedLabels_AndTotalOnCounterFamilies()
    {
        string text = PrometheusExposition.Write(OneCall(), openMetrics: false);
        Assert.Contains("# TYPE rpc_server_call_duration_seconds histogram\n", text);
        Assert.Contains("rpc_server_call_duration_seconds_bucket{rpc_system_name=\"apache_thrift\",rpc_method=\"Calc\\\"ulator/add\",error_type=\"Bad\\\\Thing\",le=\"0.0025\"} 0\n", text);
        Assert.Contains("rpc_server_call_duration_seconds_bucket{rpc_system_name=\"apache_thrift\",rpc_method=\"Calc\\\"ulator/add\",error_type=\"Bad\\\\Thing\",le=\"0.005\"} 1\n", text);
        Assert.Contains(",le=\"+Inf\"} 1\n", text);
        Assert.Contains(",le=\"1.0\"} 1\n", text);
        Assert.Contains("rpc_server_call_duration_seconds_count{rpc_system_name=\"apache_thrift\",rpc_method=\"Calc\\\"ulator/add\",error_type=\"Bad\\\\Thing\"} 1\n", text);
        Assert.Contains("# TYPE tunicorn_master_workers_spawned_total counter\n", text);
        Assert.DoesNotContain("# EOF", text);
    }

    [Fact]
    public void OpenMetrics_NamesCounterFamiliesWithoutTotal_AndEndsWithEof()
    {
        string text = PrometheusExposition.Write(OneCall(), openMetrics: true);
        Assert.Contains("# TYPE tunicorn_master_workers_spawned counter\ntunicorn_master_workers_spawned_total 1\n", text.Replace("# HELP tunicorn_master_workers_spawned Worker processes started.\n", ""));
        Assert.EndsWith("# EOF\n", text);
    }

    [Theory]
    [InlineData("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5", true)]
    [InlineData("text/plain", false)]
    [InlineData(null, false)]
    public void OpenMetrics_IsChosenFromTheAcceptHeader(string? accept, bool expected) =>
        Assert.Equal(expected, PrometheusExposition.WantsOpenMetrics(accept));
}
