using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Tunicorn.Metrics;

/// <summary>
/// Exports the summed metrics from the master over OTLP/HTTP (protobuf) with the OpenTelemetry SDK. The master's
/// meter <c>Tunicorn.Master</c> carries the same instruments as /metrics: counters and gauges are observed from the
/// <see cref="MetricsAggregator"/> at each export; the histograms are fed, every second, the calls counted since the
/// last feed, one measurement per call at the middle of its bucket, with the SDK told the same bucket boundaries, so
/// that counts and buckets are exact and only the sums are approximate.
/// </summary>
internal sealed partial class OtlpMetricsExporter : IDisposable
{
    public const string MeterName = "Tunicorn.Master";
    private static readonly TimeSpan FeedInterval = TimeSpan.FromSeconds(1);

    private readonly MetricsAggregator _metrics;
    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private readonly Histogram<long> _requestSize;
    private readonly Histogram<long> _responseSize;
    private readonly MeterProvider _provider;
    private readonly ITimer _feed;
    private readonly Lock _gate = new();
    // Per series key: what was already fed (bucket counts of duration, request and response sizes).
    private readonly Dictionary<(string Method, string? Error), (long[] Duration, long[] Request, long[] Response)> _fed = [];
    private volatile MetricsTotals? _latest;

    private OtlpMetricsExporter(Uri endpoint, MetricsAggregator metrics, string serviceName, TimeProvider time)
    {
        _metrics = metrics;
        _meter = new Meter(MeterName, typeof(OtlpMetricsExporter).Assembly.GetName().Version?.ToString(3));
        _duration = _meter.CreateHistogram<double>(MetricNames.CallDuration, "s", "Duration of the Thrift calls the server answered");
        _requestSize = _meter.CreateHistogram<long>(MetricNames.RequestSize, "By", "Size of the Thrift call messages");
        _responseSize = _meter.CreateHistogram<long>(MetricNames.ResponseSize, "By", "Size of the Thrift replies");
        _meter.CreateObservableUpDownCounter(MetricNames.ActiveCalls, () => Latest().CallsInFlight, "{call}", "Calls the workers are running now");
        _meter.CreateObservableUpDownCounter(MetricNames.ActiveConnections, () => ByFormat(Latest().ConnectionsActive), "{connection}", "Connections open now");
        _meter.CreateObservableCounter(MetricNames.Connections, () => ByFormat(Latest().ConnectionsTotal), "{connection}", "Connections served");
        _meter.CreateObservableCounter(MetricNames.RejectedConnections, () => new[]
        {
            new Measurement<long>(Latest().IdleConnectionsEvicted, new KeyValuePair<string, object?>(MetricNames.Reason, "worker_connections")),
            new Measurement<long>(Latest().AcceptsOutOfDescriptors, new KeyValuePair<string, object?>(MetricNames.Reason, "out_of_descriptors")),
        }, "{connection}");
        _meter.CreateObservableCounter(MetricNames.BadInput, () => Latest().BadInput, "{connection}");
        _meter.CreateObservableUpDownCounter(MetricNames.WorkersAlive, () => Latest().WorkersAlive, "{worker}");
        _meter.CreateObservableCounter(MetricNames.WorkersSpawned, () => Latest().WorkersSpawned, "{worker}");
        _meter.CreateObservableCounter(MetricNames.WorkersExited, () => Latest().WorkersExited
            .Select(e => new Measurement<long>(e.Value, new KeyValuePair<string, object?>(MetricNames.Reason, e.Key))), "{worker}");
        _meter.CreateObservableCounter(MetricNames.Reloads, () => new[]
        {
            new Measurement<long>(Latest().ReloadsOk, new KeyValuePair<string, object?>(MetricNames.Result, "ok")),
            new Measurement<long>(Latest().ReloadsFailed, new KeyValuePair<string, object?>(MetricNames.Result, "failed")),
        }, "{reload}");

        _provider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(serviceName))
            .AddMeter(MeterName)
            .AddView(MetricNames.CallDuration, new ExplicitBucketHistogramConfiguration { Boundaries = MetricBuckets.DurationSeconds })
            .AddView(MetricNames.RequestSize, new ExplicitBucketHistogramConfiguration { Boundaries = MetricBuckets.SizeBytes })
            .AddView(MetricNames.ResponseSize, new ExplicitBucketHistogramConfiguration { Boundaries = MetricBuckets.SizeBytes })
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = endpoint;
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                // OTEL_METRIC_EXPORT_INTERVAL (milliseconds) is honoured as in any OpenTelemetry SDK; 10 s otherwise.
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds =
                    int.TryParse(Environment.GetEnvironmentVariable("OTEL_METRIC_EXPORT_INTERVAL"), out int ms) && ms > 0 ? ms : 10_000;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            })
            .Build();
        _feed = time.CreateTimer(_ => Feed(), null, FeedInterval, FeedInterval);
    }

    /// <summary>The endpoint as the setting gives it (<c>http://collector:4318</c>), with the metrics path added when it has none.</summary>
    internal static Uri MetricsEndpoint(string endpoint)
    {
        var uri = new Uri(endpoint);
        return uri.AbsolutePath is "" or "/" ? new Uri(uri, "/v1/metrics") : uri;
    }

    public static OtlpMetricsExporter Start(string endpoint, MetricsAggregator metrics, string serviceName, ILogger log, TimeProvider? time = null)
    {
        var uri = MetricsEndpoint(endpoint);
        Exporting(log, uri.ToString());
        return new OtlpMetricsExporter(uri, metrics, serviceName, time ?? TimeProvider.System);
    }

    private MetricsTotals Latest() => _latest ?? _metrics.Collect(withMemory: false);

    private static IEnumerable<Measurement<long>> ByFormat(long[] values) => Enumerable.Range(0, values.Length).Select(f =>
    {
        var (protocol, transport) = ConnectionFormat.Names(f);
        return new Measurement<long>(values[f], new KeyValuePair<string, object?>(MetricNames.Protocol, protocol),
            new KeyValuePair<string, object?>(MetricNames.Transport, transport));
    });

    /// <summary>Records into the SDK's histograms the calls counted since the last feed; publishes the totals for the observers.</summary>
    private void Feed()
    {
        lock (_gate)
        {
            var totals = _metrics.Collect(withMemory: false);
            foreach (var s in totals.Series)
            {
                var key = (s.Method, s.ErrorType);
                if (!_fed.TryGetValue(key, out var fed))
                    _fed[key] = fed = (new long[MetricBuckets.DurationCount], new long[MetricBuckets.SizeCount], new long[MetricBuckets.SizeCount]);
                var tags = new TagList { { MetricNames.RpcSystemName, MetricNames.RpcSystemThrift }, { MetricNames.RpcMethod, s.Method } };
                if (s.ErrorType is not null)
                    tags.Add(MetricNames.ErrorType, s.ErrorType);
                Replay(s.DurationBuckets, fed.Duration, MetricBuckets.DurationSeconds, v => _duration.Record(v, tags));
                Replay(s.RequestBuckets, fed.Request, MetricBuckets.SizeBytes, v => _requestSize.Record((long)v, tags));
                Replay(s.ResponseBuckets, fed.Response, MetricBuckets.SizeBytes, v => _responseSize.Record((long)v, tags));
            }
            _latest = totals;
        }
    }

    private static void Replay(long[] now, long[] fed, double[] bounds, Action<double> record)
    {
        for (int i = 0; i < now.Length; i++)
        {
            long n = now[i] - fed[i];
            if (n <= 0)
                continue;
            double lower = i == 0 ? 0 : bounds[Math.Min(i, bounds.Length) - 1];
            double value = i < bounds.Length ? (lower + bounds[i]) / 2 : bounds[^1] * 2;
            for (long k = 0; k < n; k++)
                record(value);
            fed[i] = now[i];
        }
    }

    public void Dispose()
    {
        _feed.Dispose();
        Feed();
        _provider.ForceFlush(2000);
        _provider.Dispose();
        _meter.Dispose();
    }

    [LoggerMessage(EventId = 1858, Level = LogLevel.Information, Message = "Exporting metrics over OTLP/HTTP to {Endpoint}")]
    private static partial void Exporting(ILogger logger, string endpoint);
}
