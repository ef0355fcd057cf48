using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Tunicorn.Control;
using Tunicorn.Metrics;

namespace Tunicorn.Admin;

/// <summary>/status (HTML for a person) and /status.json (the same for a program), written without reflection (NativeAOT).</summary>
internal static class StatusPage
{
    public static byte[] Json(AdminStatus status, IReadOnlyList<RecentMethod> methods)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteBoolean("ready", status.Readiness.Ready);
            json.WriteString("ready_reason", status.Readiness.Reason);
            if (status.Server is { } server)
            {
                json.WriteNumber("pid", server.Pid);
                json.WriteNumber("uptime_seconds", server.UptimeSeconds);
                json.WriteNumber("generation", server.Generation);
                if (server.ReloadingGeneration is int reloading)
                    json.WriteNumber("reloading_generation", reloading);
                else
                    json.WriteNull("reloading_generation");
                json.WriteNumber("target_workers", server.TargetWorkers);
                json.WriteString("app", server.App);
                json.WriteStartArray("listeners");
                foreach (string listener in server.Listeners)
                    json.WriteStringValue(listener);
                json.WriteEndArray();
            }
            json.WriteString("registry", status.Registry);

            json.WriteStartArray("workers");
            foreach (var w in status.Workers)
            {
                json.WriteStartObject();
                json.WriteNumber("pid", w.Pid);
                json.WriteNumber("generation", w.Generation);
                json.WriteNumber("age", w.Age);
                json.WriteNumber("uptime_seconds", w.UptimeSeconds);
                json.WriteBoolean("booted", w.Booted);
                json.WriteBoolean("retiring", w.Retiring);
                json.WriteNumber("calls", w.CallsServed);
                json.WriteNumber("calls_in_flight", w.CallsInFlight);
                json.WriteNumber("connections", w.Connections);
                if (w.OldestCallMethod is { } method && w.OldestCallSeconds is double age)
                {
                    json.WriteStartObject("in_flight_call");
                    json.WriteString("method", method);
                    json.WriteNumber("age_seconds", age);
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteNull("in_flight_call");
                }
                if (w.RssBytes is long rss)
                    json.WriteNumber("rss_bytes", rss);
                else
                    json.WriteNull("rss_bytes");
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartArray("methods");
            foreach (var m in methods)
            {
                json.WriteStartObject();
                json.WriteString("method", m.Method);
                json.WriteNumber("window_seconds", Math.Round(m.WindowSeconds, 1));
                json.WriteNumber("calls", m.Calls);
                json.WriteNumber("errors", m.Errors);
                WriteSeconds(json, "p50_seconds", m.P50);
                WriteSeconds(json, "p99_seconds", m.P99);
                WriteSeconds(json, "p999_seconds", m.P999);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static void WriteSeconds(Utf8JsonWriter json, string name, double? seconds)
    {
        if (seconds is double s)
            json.WriteNumber(name, Math.Round(s, 6));
        else
            json.WriteNull(name);
    }

    public static string Html(AdminStatus status, IReadOnlyList<RecentMethod> methods)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>tunicorn status</title>");
        html.Append("<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th{background:#eee}</style>");
        html.Append("</head><body>\n<h1>tunicorn</h1>\n<p>");
        html.Append(status.Readiness.Ready ? "Ready: " : "<strong>Not ready</strong>: ").Append(E(status.Readiness.Reason)).Append("</p>\n<p>");
        if (status.Server is { } server)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"Master pid {server.Pid}, up {server.UptimeSeconds:0} s, generation {server.Generation}, {server.Workers} of {server.TargetWorkers} workers. ");
            html.Append("App: ").Append(E(server.App ?? "(embedded)")).Append(". Listeners: ").Append(E(string.Join(", ", server.Listeners))).Append(". ");
        }
        html.Append("Registry: ").Append(E(status.Registry)).Append(".</p>\n");

        html.Append("<h2>Workers</h2>\n<table><tr><th>pid</th><th>generation</th><th>age</th><th>up (s)</th><th>calls</th><th>in flight</th><th>connections</th><th>oldest call</th><th>RSS (MiB)</th></tr>\n");
        foreach (var w in status.Workers)
        {
            string oldest = w.OldestCallMethod is { } m && w.OldestCallSeconds is double age ? $"{E(m)} for {age:0.0} s" : "";
            string rss = w.RssBytes is long r ? (r / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) : "?";
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{w.Pid}</td><td>{w.Generation}</td><td>{w.Age}</td><td>{w.UptimeSeconds:0}</td><td>{w.CallsServed}</td><td>{w.CallsInFlight}</td><td>{w.Connections}</td><td>{oldest}</td><td>{rss}</td></tr>\n");
        }
        html.Append("</table>\n");

        double window = methods.Count > 0 ? methods[0].WindowSeconds : 0;
        html.Append(CultureInfo.InvariantCulture, $"<h2>Methods, last {window:0} s</h2>\n");
        html.Append("<table><tr><th>method</th><th>calls</th><th>errors</th><th>p50 (ms)</th><th>p99 (ms)</th><th>p99.9 (ms)</th></tr>\n");
        foreach (var m in methods)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td style=\"text-align:left\">{E(m.Method)}</td><td>{m.Calls}</td><td>{m.Errors}</td><td>{Ms(m.P50)}</td><td>{Ms(m.P99)}</td><td>{Ms(m.P999)}</td></tr>\n");
        }
        html.Append("</table>\n<p>Quantiles are interpolated in fixed buckets (docs/metrics.md). Also: <a href=\"/status.json\">/status.json</a>, <a href=\"/metrics\">/metrics</a>.</p>\n</body></html>\n");
        return html.ToString();
    }

    private static string Ms(double? seconds) => seconds is double s ? (s * 1000).ToString("0.###", CultureInfo.InvariantCulture) : "";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
