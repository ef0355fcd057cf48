using System.Globalization;
using System.Net;
using System.Text;

namespace Tunicorn.Bench.Runner;

/// <summary>
/// A hand-written SVG with two panels against the connection count: calls per second (linear axis from 0) and
/// p99 latency (log axis). One line per server; Tunicorn solid, peers dashed.
/// </summary>
public static class SvgPlot
{
    private const int PanelWidth = 460, PanelHeight = 300, MarginLeft = 70, MarginTop = 64, Gap = 90, LegendHeight = 56;

    private static readonly Dictionary<string, string> Colors = new()
    {
        ["tunicorn-async"] = "#d62728",
        ["tunicorn-threaded"] = "#ff7f0e",
        ["tunicorn-sync"] = "#8c564b",
        ["csharp-threadpool"] = "#1f77b4",
        ["cpp-threaded"] = "#2ca02c",
        ["cpp-nonblocking"] = "#9467bd",
        ["tunicorn-aot"] = "#e377c2",
        ["floor"] = "#000000",
    };

    public static string Render(IReadOnlyList<PointResult> points, string title)
    {
        var connections = points.Select(p => p.Load.Connections).Distinct().Order().ToList();
        var servers = points.Select(p => p.Server).DistinctBy(s => s.Key).ToList();
        int width = MarginLeft + PanelWidth * 2 + Gap + 30;
        int height = MarginTop + PanelHeight + 50 + LegendHeight;
        var svg = new StringBuilder();
        svg.Append(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(F($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n"));
        svg.Append(F($"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Esc(title)}</text>\n"));

        // Throughput carries the lowest and highest round as a thin range bar; p99 is the median round's.
        var throughput = servers.Select(s => (s, points.Where(p => p.Server.Key == s.Key).Select(p => (p.Load.Connections, p.Load.CallsPerSecond,
            p.RoundCallsPerSecond.Count > 1 ? p.RoundCallsPerSecond.Min() : p.Load.CallsPerSecond,
            p.RoundCallsPerSecond.Count > 1 ? p.RoundCallsPerSecond.Max() : p.Load.CallsPerSecond)).ToList())).ToList();
        var p99 = servers.Select(s => (s, points.Where(p => p.Server.Key == s.Key && p.Load.Calls > 0).Select(p => (p.Load.Connections, p.Load.P99Us / 1000, p.Load.P99Us / 1000, p.Load.P99Us / 1000)).ToList())).ToList();
        Panel(svg, MarginLeft, MarginTop, "calls per second", connections, throughput, log: false);
        Panel(svg, MarginLeft + PanelWidth + Gap, MarginTop, "p99 latency (ms, log scale)", connections, p99, log: true);

        // Legend under the panels.
        int legendTop = MarginTop + PanelHeight + 50;
        for (int i = 0; i < servers.Count; i++)
        {
            int x = MarginLeft + i % 3 * 330, y = legendTop + i / 3 * 22;
            svg.Append(F($"<line x1=\"{x}\" y1=\"{y}\" x2=\"{x + 30}\" y2=\"{y}\" stroke=\"{Color(servers[i])}\" stroke-width=\"2.5\"{Dash(servers[i])}/>\n"));
            svg.Append(F($"<text x=\"{x + 38}\" y=\"{y + 4}\">{Esc(servers[i].Label)}</text>\n"));
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Panel(StringBuilder svg, int left, int top, string title, List<int> connections,
        List<(ServerSpec Server, List<(int Connections, double Value, double Low, double High)> Points)> series, bool log)
    {
        var values = series.SelectMany(s => s.Points.SelectMany(p => (double[])[p.Value, p.High])).Where(v => v > 0).ToList();
        double max = values.Count > 0 ? values.Max() : 1;
        double min = values.Count > 0 ? values.Min() : 0.1;
        double lo, hi;
        List<double> ticks;
        if (log)
        {
            lo = Math.Pow(10, Math.Floor(Math.Log10(min)));
            hi = Math.Pow(10, Math.Ceiling(Math.Log10(max)));
            if (hi <= lo)
                hi = lo * 10;
            ticks = [];
            for (double t = lo; t <= hi * 1.0001; t *= 10)
                ticks.Add(t);
        }
        else
        {
            double step = NiceStep(max / 5);
            lo = 0;
            hi = Math.Ceiling(max * 1.05 / step) * step;
            ticks = [];
            for (double t = 0; t <= hi + step / 2; t += step)
                ticks.Add(t);
        }
        double Y(double v) => log
            ? top + PanelHeight - (Math.Log10(Math.Max(v, lo)) - Math.Log10(lo)) / (Math.Log10(hi) - Math.Log10(lo)) * PanelHeight
            : top + PanelHeight - (v - lo) / (hi - lo) * PanelHeight;
        double X(int c) => left + (connections.Count == 1 ? PanelWidth / 2.0 : connections.IndexOf(c) * PanelWidth / (double)(connections.Count - 1));

        svg.Append(F($"<text x=\"{left + PanelWidth / 2}\" y=\"{top - 12}\" text-anchor=\"middle\" font-size=\"13\">{Esc(title)}</text>\n"));
        svg.Append(F($"<rect x=\"{left}\" y=\"{top}\" width=\"{PanelWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#999\"/>\n"));
        foreach (double t in ticks)
        {
            double y = Y(t);
            svg.Append(F($"<line x1=\"{left}\" y1=\"{y:0.0}\" x2=\"{left + PanelWidth}\" y2=\"{y:0.0}\" stroke=\"#e5e5e5\"/>\n"));
            svg.Append(F($"<text x=\"{left - 6}\" y=\"{y + 4:0.0}\" text-anchor=\"end\">{Esc(Label(t))}</text>\n"));
        }
        foreach (int c in connections)
        {
            double x = X(c);
            svg.Append(F($"<line x1=\"{x:0.0}\" y1=\"{top}\" x2=\"{x:0.0}\" y2=\"{top + PanelHeight}\" stroke=\"#f0f0f0\"/>\n"));
            svg.Append(F($"<text x=\"{x:0.0}\" y=\"{top + PanelHeight + 16}\" text-anchor=\"middle\">{c}</text>\n"));
        }
        svg.Append(F($"<text x=\"{left + PanelWidth / 2}\" y=\"{top + PanelHeight + 34}\" text-anchor=\"middle\">connections</text>\n"));
        for (int i = 0; i < series.Count; i++)
        {
            var (server, pts) = series[i];
            double nudge = (i - (series.Count - 1) / 2.0) * 3;   // range bars side by side, not on top of each other
            var drawn = pts.Where(p => !log || p.Value > 0).OrderBy(p => p.Connections).ToList();
            if (drawn.Count == 0)
                continue;
            string path = string.Join(" ", drawn.Select(p => F($"{X(p.Connections):0.0},{Y(p.Value):0.0}")));
            svg.Append(F($"<polyline points=\"{path}\" fill=\"none\" stroke=\"{Color(server)}\" stroke-width=\"2.5\"{Dash(server)}/>\n"));
            foreach (var p in drawn.Where(p => p.High > p.Low))
                svg.Append(F($"<line x1=\"{X(p.Connections) + nudge:0.0}\" y1=\"{Y(p.Low):0.0}\" x2=\"{X(p.Connections) + nudge:0.0}\" y2=\"{Y(p.High):0.0}\" stroke=\"{Color(server)}\" stroke-width=\"1\" opacity=\"0.6\"/>\n"));
            foreach (var p in drawn)
                svg.Append(F($"<circle cx=\"{X(p.Connections):0.0}\" cy=\"{Y(p.Value):0.0}\" r=\"3\" fill=\"{Color(server)}\"><title>{Esc(server.Label)}, {p.Connections} connections: {Esc(Label(p.Value))}</title></circle>\n"));
        }
    }

    private static double NiceStep(double raw)
    {
        if (raw <= 0)
            return 1;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / magnitude;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
    }

    private static string Label(double v) =>
        v >= 1000 ? (v / 1000).ToString(v % 1000 == 0 ? "0" : "0.#", CultureInfo.InvariantCulture) + "k"
        : v >= 1 ? v.ToString("0.##", CultureInfo.InvariantCulture)
        : v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Color(ServerSpec s) => Colors.GetValueOrDefault(s.Key, "#333333");
    private static string Dash(ServerSpec s) => s.IsTunicorn ? "" : " stroke-dasharray=\"6 4\"";
    private static string Esc(string s) => WebUtility.HtmlEncode(s);
    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
