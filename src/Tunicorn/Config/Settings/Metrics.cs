using System.Globalization;

namespace Tunicorn.Config;

/// <summary>Metrics summed over the workers, the admin endpoint that shows them, and the exporters (docs/metrics.md).</summary>
internal static class MetricsSettings
{
    public static readonly Setting<string> AdminBind = new("admin_bind", SettingSection.Metrics)
    {
        Flags = ["--admin-bind"],
        MetaVar = "HOST:PORT",
        Default = null,
        Validator = HostPort,
        Description = """
            Serve the admin endpoint on this address: /metrics (Prometheus, or OpenMetrics when asked), /status,
            /status.json, /healthz and /readyz, from the master.
            Off by default. It shows the server's calls to whoever reaches it: bind it to loopback or a private
            network, e.g. 127.0.0.1:9191. An address that is also a Thrift bind is refused. Read once at start: a
            reload keeps the endpoint it has.
            """,
    };

    public static readonly Setting<bool> MetricsDisable = new("metrics_disable", SettingSection.Metrics)
    {
        Flags = ["--no-metrics"],
        Default = false,
        Validator = Validators.Boolean,
        Description = """
            Count no calls and no connections in the workers (for measuring what the metrics cost).
            The admin endpoint and the exporters then show only the master's own numbers; metrics are on by default.
            """,
    };

    public static readonly Setting<string> StatsdHost = new("statsd_host", SettingSection.Metrics)
    {
        Flags = ["--statsd-host"],
        MetaVar = "HOST:PORT",
        Default = null,
        Validator = HostPort,
        Description = """
            Send metrics to the statsd daemon at this UDP address, with gunicorn's names.
            The master sends them every second, summed over the workers, under statsd_prefix. Unset: no statsd.
            """,
    };

    public static readonly Setting<string> StatsdPrefix = new("statsd_prefix", SettingSection.Metrics)
    {
        Flags = ["--statsd-prefix"],
        MetaVar = "PREFIX",
        Default = "",
        Validator = new Validator<string>("string", text => text, value => value),
        Description = """
            Prefix of every statsd metric name; a dot is added after it when it has none. Same as gunicorn.
            """,
    };

    public static readonly Setting<string> DogstatsdTags = new("dogstatsd_tags", SettingSection.Metrics)
    {
        Flags = ["--dogstatsd-tags"],
        MetaVar = "TAGS",
        Default = "",
        Validator = new Validator<string>("comma-separated tags", text => text, value => value),
        Description = """
            Tags added to every statsd line, in the DogStatsD format.
            Comma-separated, e.g. env:prod,service:orders, sent as |#env:prod,service:orders. Same as gunicorn.
            """,
    };

    public static readonly Setting<string> OtlpEndpoint = new("otlp_endpoint", SettingSection.Metrics)
    {
        Flags = ["--otlp-endpoint"],
        MetaVar = "URL",
        Default = null,
        Validator = new Validator<string>("http(s) URL", ParseOtlpEndpoint, value => value),
        Description = """
            Export the metrics from the master over OTLP/HTTP to this collector, e.g. http://127.0.0.1:4318.
            Protobuf over HTTP; without a path, /v1/metrics is added. Every 10 s, or OTEL_METRIC_EXPORT_INTERVAL milliseconds; the service
            name is proc_name. Unset: no OTLP export.
            """,
    };

    private static string ParseOtlpEndpoint(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? text
            : throw new SettingValueException(text, "is not an http:// or https:// URL (e.g. http://127.0.0.1:4318)");

    /// <summary>HOST:PORT or [IPV6]:PORT with a port of 1-65535.</summary>
    private static Validator<string> HostPort => new("HOST:PORT", ParseHostPort, value => value);

    private static string ParseHostPort(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
            throw new SettingValueException(text, "is not HOST:PORT (e.g. 127.0.0.1:9191)");
        string host = text[..colon];
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            throw new SettingValueException(text, "has no port from 1 to 65535 after the last ':'");
        if (host.StartsWith('[') != host.EndsWith(']') || (host.Contains(':') && !host.StartsWith('[')))
            throw new SettingValueException(text, "has an IPv6 address without brackets; write [::1]:PORT");
        return text;
    }
}
