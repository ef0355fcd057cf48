using System.Text;
using Tunicorn.Metrics;

namespace Tunicorn.Admin;

/// <summary>The pages of the admin endpoint: which path answers what, and what any other request gets.</summary>
internal sealed class AdminRoutes(
    MetricsAggregator metrics,
    Func<Readiness> readiness,
    Func<CancellationToken, Task<AdminStatus>> status)
{
    private const string Paths = "/metrics, /status, /status.json, /healthz, /readyz";

    public async Task<AdminResponse> AnswerAsync(AdminRequestHead request, CancellationToken cancellationToken)
    {
        if (request.Method is not ("GET" or "HEAD"))
        {
            return AdminResponse.Text(405, $"{request.Method} is not allowed here: the admin endpoint is read-only (GET, HEAD)\n")
                with { Headers = ["Allow: GET, HEAD"] };
        }
        switch (request.Path)
        {
            case "/metrics":
                bool openMetrics = PrometheusExposition.WantsOpenMetrics(request.Header("accept"));
                string text = PrometheusExposition.Write(metrics.Collect(), openMetrics);
                return new AdminResponse(200, openMetrics ? PrometheusExposition.OpenMetricsContentType : PrometheusExposition.TextContentType,
                    Encoding.UTF8.GetBytes(text));
            case "/healthz":
                return AdminResponse.Text(200, "ok: the master runs\n");
            case "/readyz":
                var ready = readiness();
                return AdminResponse.Text(ready.Ready ? 200 : 503, (ready.Ready ? "ready: " : "not ready: ") + ready.Reason + "\n");
            case "/status":
                return new AdminResponse(200, "text/html; charset=utf-8",
                    Encoding.UTF8.GetBytes(StatusPage.Html(await status(cancellationToken), metrics.RecentMethods())));
            case "/status.json":
                return new AdminResponse(200, "application/json",
                    StatusPage.Json(await status(cancellationToken), metrics.RecentMethods()));
            default:
                return AdminResponse.Text(404, $"no page at {request.Path}; the admin endpoint serves {Paths}\n");
        }
    }
}
