using System.Globalization;
using System.Text;

namespace Tunicorn.Metrics;

/// <summary>
/// Writes <see cref="MetricsTotals"/> in the Prometheus text format 0.0.4, or in OpenMetrics 1.0 when the scraper asks
/// for it: the instruments of <see cref="MetricNames"/> under the names OpenTelemetry's Prometheus exporter would give
/// them (dots to underscores, the unit as a suffix, <c>_total</c> on counters).
/// </summary>
internal static class PrometheusExposition
{
    public const string TextContentType = "text/plain; version=0.0.4; charset=utf-8";
    public const string OpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private static readonly string[] ExitReasons =
        [WorkerExitReason.Normal, WorkerExitReason.Crash, WorkerExitReason.Signal, WorkerExitReason.Timeout, WorkerExitReason.BootError];

    /// <summary>True when an Accept header prefers OpenMetrics (Prometheus sends it first when it can parse it).</summary>
    public static bool WantsOpenMetrics(string? accept) =>
        accept is not null && accept.Contains("application/openmetrics-text", StringComparison.OrdinalIgnoreCase);

    public static string Write(MetricsTotals totals, bool openMetrics)
    {
        var w = new Writer(openMetrics);
        var series = totals.Series.ToList();

        w.Family("rpc_server_call_duration_seconds", "histogram", "Duration of the Thrift calls the server answered, in seconds.");
        foreach (var s in series)
            w.Histogram("rpc_server_call_duration_seconds", CallLabels(s), s.DurationBuckets, MetricBuckets.DurationSeconds, s.DurationTicks / (double)TimeSpan.TicksPerSecond);
        w.Family("rpc_server_request_size_bytes", "histogram", "Size of the Thrift call messages, in bytes, framing included.");
        foreach (var s in series)
            w.Histogram("rpc_server_request_size_bytes", CallLabels(s), s.RequestBuckets, MetricBuckets.SizeBytes, s.RequestBytes);
        w.Family("rpc_server_response_size_bytes", "histogram", "Size of the Thrift replies, in bytes, framing included (0 for oneway calls).");
        foreach (var s in series)
            w.Histogram("rpc_server_response_size_bytes", CallLabels(s), s.ResponseBuckets, MetricBuckets.SizeBytes, s.ResponseBytes);

        w.Family("tunicorn_server_active_calls", "gauge", "Calls the workers are running now.");
        w.Sample("tunicorn_server_active_calls", "", totals.CallsInFlight);
        w.Family("tunicorn_server_active_connections", "gauge", "Connections the workers hold open now, by protocol and transport (unknown until the first call).");
        for (int f = 0; f < ConnectionFormat.Count; f++)
            w.Sample("tunicorn_server_active_connections", FormatLabels(f), totals.ConnectionsActive[f]);
        w.Family("tunicorn_server_connections", "counter", "Connections served, by protocol and transport (unknown: closed before a call).");
        for (int f = 0; f < ConnectionFormat.Count; f++)
            w.Sample("tunicorn_server_connections_total", FormatLabels(f), totals.ConnectionsTotal[f]);
        w.Family("tunicorn_server_rejected_connections", "counter", "Connections refused or closed to admit others: idle ones closed at worker_connections, accepts out of file descriptors.");
        w.Sample("tunicorn_server_rejected_connections_total", Label("reason", "worker_connections"), totals.IdleConnectionsEvicted);
        w.Sample("tunicorn_server_rejected_connections_total", Label("reason", "out_of_descriptors"), totals.AcceptsOutOfDescriptors);
        w.Family("tunicorn_server_bad_input", "counter", "Connections closed for bad input: protocol violations and limits hit.");
        w.Sample("tunicorn_server_bad_input_total", "", totals.BadInput);

        w.Family("tunicorn_master_workers", "gauge", "Worker processes alive.");
        w.Sample("tunicorn_master_workers", "", totals.WorkersAlive);
        w.Family("tunicorn_master_workers_spawned", "counter", "Worker processes started.");
        w.Sample("tunicorn_master_workers_spawned_total", "", totals.WorkersSpawned);
        w.Family("tunicorn_master_workers_exited", "counter", "Worker processes that exited, by reason.");
        foreach (string reason in ExitReasons)
            w.Sample("tunicorn_master_workers_exited_total", Label("reason", reason), totals.WorkersExited.GetValueOrDefault(reason));
        w.Family("tunicorn_master_reloads", "counter", "Reloads (HUP, tunicorn ctl reload), by result.");
        w.Sample("tunicorn_master_reloads_total", Label("result", "ok"), totals.ReloadsOk);
        w.Sample("tunicorn_master_reloads_total", Label("result", "failed"), totals.ReloadsFailed);
        w.Family("tunicorn_worker_memory_rss_bytes", "gauge", "Resident memory of each worker process, in bytes.");
        foreach (var (pid, rss) in totals.WorkerMemory)
        {
            if (rss is long bytes)
                w.Sample("tunicorn_worker_memory_rss_bytes", Label("worker_pid", pid.ToString(CultureInfo.InvariantCulture)), bytes);
        }
        return w.Finish();
    }

    private static string CallLabels(SeriesTotals s) =>
        Label("rpc_system_name", MetricNames.RpcSystemThrift) + "," + Label("rpc_method", s.Method)
        + (s.ErrorType is null ? "" : "," + Label("error_type", s.ErrorType));

    private static string FormatLabels(int format)
    {
        var (protocol, transport) = ConnectionFormat.Names(format);
        return Label("thrift_protocol", protocol) + "," + Label("thrift_transport", transport);
    }

    private static string Label(string name, string value)
    {
        var escaped = new StringBuilder(value.Length + 2);
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': escaped.Append(@"\\"); break;
                case '"': escaped.Append("\\\""); break;
                case '\n': escaped.Append(@"\n"); break;
                default: escaped.Append(c); break;
            }
        }
        return $"{name}=\"{escaped}\"";
    }

    /// <summary>A float as both formats accept it, with a '.' so that le="1.0" is the canonical OpenMetrics form.</summary>
    private static string Number(double value)
    {
        if (double.IsPositiveInfinity(value))
            return "+Inf";
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }

    private sealed class Writer(bool openMetrics)
    {
        private readonly StringBuilder _text = new();

        public void Family(string name, string type, string help)
        {
            // OpenMetrics names a counter family without _total, the text format with it; the samples have it in both.
            if (type == "counter" && !openMetrics)
                name += "_total";
            _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        }

        public void Sample(string name, string labels, double value)
        {
            _text.Append(name);
            if (labels.Length > 0)
                _text.Append('{').Append(labels).Append('}');
            _text.Append(' ').Append(Number(value)).Append('\n');
        }

        public void Sample(string name, string labels, long value)
        {
            _text.Append(name);
            if (labels.Length > 0)
                _text.Append('{').Append(labels).Append('}');
            _text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        public void Histogram(string name, string labels, long[] counts, double[] bounds, double sum)
        {
            long cumulative = 0;
            for (int i = 0; i < counts.Length; i++)
            {
                cumulative += counts[i];
                string le = i < bounds.Length ? Number(bounds[i]) : "+Inf";
                Sample(name + "_bucket", labels + ",le=\"" + le + "\"", cumulative);
            }
            Sample(name + "_sum", labels, sum);
            Sample(name + "_count", labels, cumulative);
        }

        public string Finish()
        {
            if (openMetrics)
                _text.Append("# EOF\n");
            return _text.ToString();
        }
    }
}
