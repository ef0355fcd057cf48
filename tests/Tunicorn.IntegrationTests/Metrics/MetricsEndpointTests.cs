using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Thrift;
using Thrift.Transport;
using tutorial;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Metrics;

/// <summary>
/// The admin endpoint of a real master with real workers, read by real tools: Debian's Prometheus server and promtool,
/// Python's prometheus_client parser, curl, Python's http.client, and raw sockets for what no client sends.
/// </summary>
public sealed class MetricsEndpointTests(ITestOutputHelper output)
{
    private static string[] Admin(int port) => ["--admin-bind", $"127.0.0.1:{port}"];

    [Fact]
    public async Task Prometheus_CountsEveryAnsweredCall_AcrossRecyclingAndAWorkerKilledWithSigkill()
    {
        int port = FreePort.Next();
        int admin = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 4,
            ["--max-requests", "300", "--max-requests-jitter", "0", "--graceful-timeout", "10", .. Admin(admin)], output);
        await using var prometheus = await PrometheusServer.StartAsync($"127.0.0.1:{admin}");

        // A connection per call: each call lands on whichever worker accepts, and every worker reaches max_requests.
        long answered = 0, failed = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(client => Task.Run(async () =>
        {
            for (int i = 0; i < 450; i++)
            {
                try
                {
                    using var testService = await ThriftClients.TestServiceAsync(port);
                    Assert.Equal(i + client, await testService.add(i, client));
                    Interlocked.Increment(ref answered);
                }
                catch (Exception e) when (e is TTransportException or IOException or SocketException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })));
        output.WriteLine($"[test] {answered} calls answered, {failed} failed");
        Assert.True(server.BootingPids().Count >= 8, $"max_requests recycled too few workers{Environment.NewLine}{server.Log.Tail()}");

        // Recycling is spawn-first: wait until the retiring workers are gone, so that the one killed is a serving one
        // the master must replace.
        int victim = (await server.WaitForWorkerCountAsync(4, TunicornServer.BootTimeout))[0];
        // A worker publishes its call counters every MetricsBoard.PublishInterval (and at any exit but a SIGKILL), so a
        // SIGKILL loses at most its last interval's calls: kill once every answered call is published; from then on,
        // none of them may be lost.
        double published = 0;
        await Eventually.WaitUntilAsync(async () => (published = await CallsCountedAsync($"127.0.0.1:{admin}")) == answered,
            TimeSpan.FromSeconds(30), $"/metrics to count {answered} calls before the kill", () => $"counted {published}");
        Assert.True(Posix.Kill(victim, UnixSignal.Kill));
        await server.WaitForWorkerCountAsync(4, TunicornServer.BootTimeout, pids => !pids.Contains(victim));

        double? counted = null;
        await Eventually.WaitUntilAsync(async () =>
        {
            counted = await prometheus.QueryScalarAsync("sum(rpc_server_call_duration_seconds_count)");
            double? crashes = await prometheus.QueryScalarAsync("sum(tunicorn_master_workers_exited_total{reason=\"crash\"})");
            return counted == answered && crashes >= 1;
        }, TimeSpan.FromSeconds(30), $"Prometheus to count {answered} calls and the killed worker",
            () => $"counted {counted}; targets: {prometheus.TargetsAsync().Result}{Environment.NewLine}{server.Log.Tail()}");
        Assert.Equal(answered, (long)(await prometheus.QueryScalarAsync(
            "sum(rpc_server_call_duration_seconds_count{rpc_system_name=\"apache_thrift\",rpc_method=\"TestService/add\"})"))!);
        // Every worker the log saw booting, the killed one's replacement included, and no other.
        int booting = server.BootingPids().Count;
        double? spawned = null;
        await Eventually.WaitUntilAsync(async () => (spawned = await prometheus.QueryScalarAsync("sum(tunicorn_master_workers_spawned_total)")) == booting,
            TimeSpan.FromSeconds(30), $"Prometheus to count {booting} workers spawned", () => $"spawned {spawned}");
        Assert.True(booting >= 9, $"expected 4 workers, at least 4 replacements and the killed one's: {booting}");
        Assert.Equal(4, await prometheus.QueryScalarAsync("sum(tunicorn_master_workers)"));
    }

    /// <summary>The sum of every series' call count on the admin endpoint's /metrics.</summary>
    private static async Task<double> CallsCountedAsync(string admin) =>
        Regex.Matches((await AdminHttp.GetAsync(admin, "/metrics")).Body, @"^rpc_server_call_duration_seconds_count\{[^}]*\} (\S+)$", RegexOptions.Multiline)
            .Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    [Fact]
    public async Task Metrics_ArePromtoolClean_AndEveryFamilyParsesWithPythonPrometheusClient()
    {
        int port = FreePort.Next();
        int admin = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 2,
            ["--thrift-protocol-factory", "auto", "--thrift-transport-factory", "auto", .. Admin(admin)], output);
        using (var client = await ThriftClients.CalculatorAsync(port, "compact", "framed"))
            await CalculatorChecks.RunAsync(client);

        var (status, contentType, text) = await AdminHttp.GetAsync($"127.0.0.1:{admin}", "/metrics");
        Assert.Equal(200, status);
        Assert.StartsWith("text/plain; version=0.0.4", contentType);
        Assert.Contains("rpc_method=\"Calculator/calculate\",error_type=\"InvalidOperation\"", text);
        Assert.Matches(new Regex("""tunicorn_server_connections_total\{thrift_protocol="compact",thrift_transport="framed"\} 1\n"""), text);

        var promtool = await RunAsync("/usr/bin/promtool", ["check", "metrics"], text);
        Assert.True(promtool.ExitCode == 0, $"promtool check metrics: {promtool.Output}{Environment.NewLine}{text}");

        const string parse = """
            import sys, json
            from prometheus_client.parser import text_string_to_metric_families
            print(json.dumps({f.name: [f.type, len(f.samples)] for f in text_string_to_metric_families(sys.stdin.read())}))
            """;
        var python = await RunAsync("/usr/bin/python3", ["-c", parse], text);
        Assert.True(python.ExitCode == 0, python.Output);
        using var families = JsonDocument.Parse(python.Output);
        var parsed = families.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value[0].GetString());
        int declared = Regex.Matches(text, "^# TYPE ", RegexOptions.Multiline).Count;
        Assert.Equal(declared, parsed.Count);
        Assert.Equal("histogram", parsed["rpc_server_call_duration_seconds"]);
        Assert.Equal("counter", parsed["tunicorn_server_connections"]);
        Assert.Equal("gauge", parsed["tunicorn_server_active_connections"]);

        var (omStatus, omType, openMetrics) = await AdminHttp.GetAsync($"127.0.0.1:{admin}", "/metrics",
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        Assert.Equal(200, omStatus);
        Assert.StartsWith("application/openmetrics-text; version=1.0.0", omType);
        const string parseOpenMetrics = """
            import sys
            from prometheus_client.openmetrics.parser import text_string_to_metric_families
            print(len(list(text_string_to_metric_families(sys.stdin.read()))))
            """;
        var om = await RunAsync("/usr/bin/python3", ["-c", parseOpenMetrics], openMetrics);
        Assert.True(om.ExitCode == 0, om.Output + Environment.NewLine + openMetrics);
        Assert.Equal(declared, int.Parse(om.Output.Trim()));
    }

    [Fact]
    public async Task StatusJson_ListsTheSleepCallInFlight_AndReadyzTurns503AtTermWhileTheMasterDrains()
    {
        int port = FreePort.Next();
        int admin = FreePort.Next();
        string address = $"127.0.0.1:{admin}";
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1,
            ["--graceful-timeout", "20", "--timeout", "30", .. Admin(admin)], output);
        Assert.Equal(200, (await AdminHttp.GetAsync(address, "/healthz")).Status);
        await Eventually.WaitUntilAsync(async () => (await AdminHttp.GetAsync(address, "/readyz")).Status == 200,
            TimeSpan.FromSeconds(10), "/readyz 200 once the worker accepts");

        using var sleeper = await ThriftClients.TestServiceAsync(port);
        var sleeping = sleeper.sleep(4000);
        JsonElement inFlight = default;
        await Eventually.WaitUntilAsync(async () =>
        {
            using var json = JsonDocument.Parse((await AdminHttp.GetAsync(address, "/status.json")).Body);
            var call = json.RootElement.GetProperty("workers")[0].GetProperty("in_flight_call");
            if (call.ValueKind != JsonValueKind.Object || call.GetProperty("age_seconds").GetDouble() < 1)
                return false;
            inFlight = call.Clone();
            return true;
        }, TimeSpan.FromSeconds(10), "/status.json to list the sleep call with its age");
        Assert.Equal("sleep", inFlight.GetProperty("method").GetString());
        output.WriteLine($"[test] in flight: {inFlight}");
        var (htmlStatus, htmlType, html) = await AdminHttp.GetAsync(address, "/status");
        Assert.Equal(200, htmlStatus);
        Assert.StartsWith("text/html", htmlType);
        Assert.Contains("sleep for", html);

        var sinceTerm = Stopwatch.StartNew();
        Assert.True(server.Signal(UnixSignal.Term));
        int readyz;
        do
            readyz = (await AdminHttp.GetAsync(address, "/readyz")).Status;
        while (readyz == 200 && sinceTerm.Elapsed < TimeSpan.FromSeconds(5));
        var latency = sinceTerm.Elapsed;
        output.WriteLine($"[test] /readyz answered 503 {latency.TotalMilliseconds:0.0} ms after TERM");
        Assert.Equal(503, readyz);
        // The master is still draining the sleep call: readiness went before the service did.
        Assert.False(sleeping.IsCompleted, "the sleep call finished before /readyz turned 503");
        Assert.False(server.HasExited);
        await sleeping;
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task WhatIsNotAReadOnlyHttp1Request_GetsAClearStatus_AndRealClientsAreServed()
    {
        int port = FreePort.Next();
        int admin = FreePort.Next();
        string address = $"127.0.0.1:{admin}";
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1, Admin(admin), output);

        string post = await AdminHttp.RawAsync(address, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 405 Method Not Allowed\r\n", post);
        Assert.Contains("\r\nAllow: GET, HEAD\r\n", post);
        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", await AdminHttp.RawAsync(address, "GET /admin HTTP/1.1\r\nHost: x\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 505 ", await AdminHttp.RawAsync(address, "GET /metrics HTTP/3.0\r\nHost: x\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", await AdminHttp.RawAsync(address, "HELLO\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", await AdminHttp.RawAsync(address, "GET /metrics HTTP/1.1\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 431 ", await AdminHttp.RawAsync(address, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + new string('a', 9000) + "\r\n\r\n"));
        string head = await AdminHttp.RawAsync(address, "HEAD /healthz HTTP/1.0\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head);
        Assert.EndsWith("\r\n\r\n", head);

        var curl = await RunAsync("/usr/bin/curl", ["-s", "-f", "-o", "/dev/null", "-w", "%{http_code} %{content_type}", $"http://{address}/status"], null);
        Assert.Equal("200 text/html; charset=utf-8", curl.Output.Trim());
        const string httpClient = """
            import http.client, sys
            c = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=10)
            c.request("GET", "/readyz")
            r = c.getresponse()
            print(r.status, r.read().decode().strip())
            """;
        var python = await RunAsync("/usr/bin/python3", ["-c", httpClient, "127.0.0.1", admin.ToString()], null);
        Assert.StartsWith("200 ready:", python.Output.Trim());
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task AdminBind_OnTheThriftAddress_IsRefusedAtStart()
    {
        int port = FreePort.Next();
        await using var server = TunicornServer.Start([RepoPaths.TestAppDll, "-b", $"127.0.0.1:{port}", .. Admin(port)], output);
        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("admin_bind '127.0.0.1:" + port + "' is the address of the Thrift bind", server.Log.Tail());
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string executable, IEnumerable<string> arguments, string? input)
    {
        var info = new ProcessStartInfo(executable) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
            await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
