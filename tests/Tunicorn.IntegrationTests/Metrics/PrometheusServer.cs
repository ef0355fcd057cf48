using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Tunicorn.IntegrationTests.Harness;

namespace Tunicorn.IntegrationTests.Metrics;

/// <summary>
/// Debian's Prometheus server, started by a test on a free loopback port with a scrape config for one target, and
/// stopped by its pid. Queried through its HTTP API.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    public const string Executable = "/usr/bin/prometheus";
    private readonly ManagedProcess _process;
    private readonly TestDirectory _directory;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private PrometheusServer(ManagedProcess process, TestDirectory directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public static async Task<PrometheusServer> StartAsync(string target)
    {
        var directory = new TestDirectory("prometheus");
        int port = FreePort.Next();
        File.WriteAllText(directory.File("prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 900ms
            scrape_configs:
              - job_name: tunicorn
                static_configs:
                  - targets: ['{target}']
            """);
        var process = ManagedProcess.Start(Executable,
        [
            "--config.file=" + directory.File("prometheus.yml"),
            "--storage.tsdb.path=" + directory.File("data"),
            $"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ]);
        var server = new PrometheusServer(process, directory, port);
        try
        {
            await Eventually.WaitUntilAsync(async () =>
            {
                try
                {
                    return (await server._http.GetAsync($"http://127.0.0.1:{port}/-/ready")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(30), "Prometheus ready", () => process.DescribeOutput());
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The value of an instant query that returns one sample; null when it returns none.</summary>
    public async Task<double?> QueryScalarAsync(string query)
    {
        using var reply = await _http.GetAsync($"http://127.0.0.1:{Port}/api/v1/query?query={Uri.EscapeDataString(query)}");
        reply.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await reply.Content.ReadAsStringAsync());
        var result = json.RootElement.GetProperty("data").GetProperty("result");
        if (result.GetArrayLength() == 0)
            return null;
        return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>The health of the scrape target ("up", "down", "unknown") and its last error, from /api/v1/targets.</summary>
    public async Task<string> TargetsAsync() => await _http.GetStringAsync($"http://127.0.0.1:{Port}/api/v1/targets");

    public string Describe() => _process.DescribeOutput();

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
        _directory.Dispose();
    }
}
