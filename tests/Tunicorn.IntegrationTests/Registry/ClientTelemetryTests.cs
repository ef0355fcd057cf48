using System.Diagnostics.Metrics;
using System.Diagnostics;
using Thrift;
using Tunicorn.Client;
using Tunicorn.IntegrationTests.Harness;
using Tunicorn.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// Metrics and spans of real calls to real servers (issue 18, item 9), observed with a MeterListener and an
/// ActivityListener. One class, so its tests run one at a time: the cost measurement needs nothing else listening.
/// </summary>
public sealed class ClientTelemetryTests(ITestOutputHelper output) : IDisposable
{
    private const string Duration = "rpc.client.call.duration";
    private static readonly TimeSpan Patient = TimeSpan.FromSeconds(20);

    private readonly TestOutputLogger _clientLog = new();

    [Fact]
    public async Task Calls_ToThreeServers_EachRecordsItsDuration_MethodAndChosenServer_AsItsSpanAndOnCompletedSayToo()
    {
        int[] ports = [FreePort.Next(), FreePort.Next(), FreePort.Next()];
        var masters = await Task.WhenAll(ports.Select(p => TunicornServer.StartAsync(TestServiceApp.Spec, p, 1, output: output)));
        await using var _ = new AsyncDisposables(masters);
        using var metrics = new MetricRecorder();
        using var spans = new SpanRecorder();
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions
        {
            Servers = [.. ports.Select(p => $"127.0.0.1:{p}")],
            MeterFactory = metrics,
            LoggerFactory = _clientLog,
        });
        var infos = new List<CallInfo>();
        var options = new CallOptions { Timeout = Patient, OnCompleted = infos.Add };

        var pids = new List<int>();
        for (int i = 0; i < 30; i++)
            pids.Add(await client.CallAsync((c, ct) => c.pid(ct), options));
        var failure = await Assert.ThrowsAsync<TApplicationException>(() => client.CallAsync((c, ct) => c.fail("on purpose", ct), options));

        // The server each call's information names is the one that answered it.
        for (int i = 0; i < pids.Count; i++)
            Assert.Equal(masters[Array.IndexOf(ports, infos[i].Server!.Port)].WorkerPids().Single(), pids[i]);
        Assert.All(infos.Take(30), info => Assert.Equal(("TestService/pid", 1, (Exception?)null), (info.Method, info.Attempts, info.Error)));
        Assert.Equal(("TestService/fail", failure), (infos[30].Method, infos[30].Error));

        var durations = metrics.Recorded(Duration);
        Assert.Equal(31, durations.Count);
        for (int i = 0; i < durations.Count; i++)
        {
            Assert.Equal("apache_thrift", durations[i].Tag("rpc.system.name"));
            Assert.Equal(infos[i].Method, durations[i].Tag("rpc.method"));
            Assert.Equal("127.0.0.1", durations[i].Tag("server.address"));
            Assert.Equal(infos[i].Server!.Port, durations[i].Tag("server.port"));
            Assert.InRange(durations[i].Value, 0, Patient.TotalSeconds);
        }
        Assert.All(durations.Take(30), d => Assert.False(d.Tags.ContainsKey("error.type")));
        Assert.Equal("Thrift.TApplicationException", durations[30].Tag("error.type"));
        // Round robin: ten calls each.
        Assert.All(ports, p => Assert.Equal(10, durations.Take(30).Count(d => Equals(d.Tag("server.port"), p))));

        var stopped = spans.Stopped;
        Assert.Equal(31, stopped.Count);
        Assert.All(stopped, s => Assert.Equal((ActivityKind.Client, spans.Root.SpanId, "127.0.0.1"), (s.Kind, s.ParentSpanId, s.GetTagItem("server.address"))));
        Assert.Equal(30, stopped.Count(s => s.DisplayName == "TestService/pid" && s.Status == ActivityStatusCode.Unset));
        var failed = Assert.Single(stopped, s => s.DisplayName == "TestService/fail");
        Assert.Equal((ActivityStatusCode.Error, "Thrift.TApplicationException"), (failed.Status, failed.GetTagItem("error.type")));

        // Sequential calls: one connection per server, idle now.
        var connections = metrics.Observe("tunicorn.client.connection.count");
        Assert.All(ports, p =>
        {
            Assert.Equal(1, connections.Single(m => Equals(m.Tag("server.port"), p) && Equals(m.Tag("tunicorn.client.connection.state"), "idle")).Value);
            Assert.Equal(0, connections.Single(m => Equals(m.Tag("server.port"), p) && Equals(m.Tag("tunicorn.client.connection.state"), "used")).Value);
        });
    }

    [Fact]
    public async Task HungServer_ItsTimeoutsAreRecordedAsErrorTypeTimeout_AndItsEjectionIsCounted()
    {
        int[] ports = [FreePort.Next(), FreePort.Next()];
        var masters = await Task.WhenAll(ports.Select(p => TunicornServer.StartAsync(TestServiceApp.Spec, p, 1, output: output)));
        await using var _ = new AsyncDisposables(masters);
        using var metrics = new MetricRecorder();
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions
        {
            Servers = [.. ports.Select(p => $"127.0.0.1:{p}")],
            MeterFactory = metrics,
            LoggerFactory = _clientLog,
            EjectionTime = TimeSpan.FromSeconds(30),
        });
        // Warm: a cold worker's first calls may take longer than the short deadline below on a busy machine.
        for (int i = 0; i < 20; i++)
            await client.CallAsync((c, ct) => c.pid(ct), new CallOptions { Timeout = Patient });
        int victim = masters[0].WorkerPids().Single();

        Assert.True(Posix.Kill(victim, UnixSignal.Stop));
        try
        {
            await Eventually.WaitUntilAsync(async () =>
            {
                try
                {
                    await client.CallAsync((c, ct) => c.pid(ct), new CallOptions { Timeout = TimeSpan.FromMilliseconds(300) });
                }
                catch (CallTimeoutException)
                {
                    // Expected on the stopped server, until it is ejected.
                }
                return metrics.Recorded("tunicorn.client.ejections").Count > 0;
            }, TimeSpan.FromSeconds(30), "the stopped server is ejected");

            var servers = metrics.Observe("tunicorn.client.server.count");
            Assert.Equal(1, servers.Single(m => Equals(m.Tag("tunicorn.client.server.state"), "ejected")).Value);
            Assert.Equal(1, servers.Single(m => Equals(m.Tag("tunicorn.client.server.state"), "available")).Value);
            Assert.All(servers, m => Assert.Equal("TestService", m.Tag("tunicorn.client.service")));
        }
        finally
        {
            Assert.True(Posix.Kill(victim, UnixSignal.Cont));
        }

        var ejection = Assert.Single(metrics.Recorded("tunicorn.client.ejections"), e => Equals(e.Tag("server.port"), ports[0]));
        Assert.Equal((1d, "127.0.0.1"), (ejection.Value, ejection.Tag("server.address")));
        var failed = metrics.Recorded(Duration).Where(d => d.Tags.ContainsKey("error.type")).ToList();
        output.WriteLine($"[test] {failed.Count} calls failed: " + string.Join(", ", failed.Select(f => $"{f.Tag("error.type")} on {f.Tag("server.port")}")));
        // EjectAfterFailures (3) timeouts on the stopped server, each at its 300 ms deadline.
        var timeouts = failed.Where(f => Equals(f.Tag("server.port"), ports[0])).ToList();
        Assert.Equal(3, timeouts.Count);
        Assert.All(timeouts, t =>
        {
            Assert.Equal(("timeout", "TestService/pid"), (t.Tag("error.type"), t.Tag("rpc.method")));
            Assert.InRange(t.Value, 0.29, Patient.TotalSeconds);
        });
    }

    [Fact]
    public async Task IdempotentCall_WhoseWorkerIsKilled_IsRetriedOnTheOtherServer_CountedAsARetry_AndAnEventOfItsSpan()
    {
        int[] ports = [FreePort.Next(), FreePort.Next()];
        var masters = await Task.WhenAll(ports.Select(p => TunicornServer.StartAsync(TestServiceApp.Spec, p, 1, output: output)));
        await using var _ = new AsyncDisposables(masters);
        using var metrics = new MetricRecorder();
        using var spans = new SpanRecorder();
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions
        {
            Servers = [.. ports.Select(p => $"127.0.0.1:{p}")],
            MeterFactory = metrics,
            LoggerFactory = _clientLog,
        });
        CallInfo? info = null;
        // One call to each server first: a worker serves a connection from accept to close, so the call below goes to a
        // worker already serving its connection (a connection not accepted yet would wait for the respawned worker).
        for (int i = 0; i < ports.Length; i++)
            await client.CallAsync((c, ct) => c.pid(ct), new CallOptions { Timeout = Patient });

        var call = client.CallAsync((c, ct) => c.sleep(1500, ct), new CallOptions { Timeout = Patient, Idempotent = true, OnCompleted = i => info = i });
        // The connection count shows which server the call is on.
        int? busy = null;
        await Eventually.WaitUntilAsync(() => (busy = metrics.Observe("tunicorn.client.connection.count")
            .Where(m => Equals(m.Tag("tunicorn.client.connection.state"), "used") && m.Value == 1)
            .Select(m => (int?)m.Tag("server.port")).FirstOrDefault()) is not null, TimeSpan.FromSeconds(10), "the call is on a server");
        int victim = Array.IndexOf(ports, busy!.Value), other = 1 - victim;
        Assert.True(Posix.Kill(masters[victim].WorkerPids().Single(), UnixSignal.Kill));
        await call;

        var retry = Assert.Single(metrics.Recorded("tunicorn.client.retries"));
        Assert.Equal(("{retry}", ports[victim], "TestService/sleep"), (retry.Unit, retry.Tag("server.port"), retry.Tag("rpc.method")));
        Assert.Contains(retry.Tag("error.type"), new object[] { "connection_closed", "connection_reset" });
        var duration = Assert.Single(metrics.Recorded(Duration), d => Equals(d.Tag("rpc.method"), "TestService/sleep"));
        Assert.Equal(ports[other], duration.Tag("server.port"));
        Assert.False(duration.Tags.ContainsKey("error.type"));
        Assert.Equal((2, ports[other]), (info!.Attempts, info.Server!.Port));
        var span = Assert.Single(spans.Stopped, s => s.DisplayName == "TestService/sleep");
        var retried = Assert.Single(span.Events);
        Assert.Equal("tunicorn.client.retry", retried.Name);
        Assert.Equal(ports[victim], retried.Tags.Single(t => t.Key == "server.port").Value);
        Assert.Equal(ports[other], span.GetTagItem("server.port"));
    }

    /// <summary>
    /// The cost of observing calls: calls/s of one caller in a tight loop on one server, without a listener and with a
    /// MeterListener and an ActivityListener recording everything, three times each after a warm-up round, interleaved. Printed, not asserted:
    /// timings are no pass/fail threshold on a shared machine.
    /// </summary>
    [Fact]
    public async Task Cost_CallsPerSecond_WithAndWithoutListeners()
    {
        const int Calls = 30_000;
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(TestServiceApp.Spec, port, 1, output: output);
        using var factory = new MetricRecorder(listen: false);
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions { Servers = [$"127.0.0.1:{port}"], MeterFactory = factory });
        var options = new CallOptions { Timeout = Patient };
        var results = new List<string>();
        // Round 0 warms both paths (the code that records runs only once something listens) and is not reported.
        for (int round = 0; round <= 3; round++)
        {
            var (bare, bareCpu, bareBytes, bareSpans) = await CallsPerSecondAsync();
            Assert.Equal(0, bareSpans);
            int recorded;
            int traced;
            double observed;
            double observedBytes;
            double observedCpu;
            using (var metrics = new MeterListener())
            using (var spans = new SpanRecorder())
            {
                int count = 0;
                metrics.InstrumentPublished = (instrument, listener) =>
                {
                    if (ReferenceEquals(instrument.Meter.Scope, factory))
                        listener.EnableMeasurementEvents(instrument);
                };
                metrics.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref count));
                metrics.Start();
                (observed, observedCpu, observedBytes, int spansSeen) = await CallsPerSecondAsync();
                recorded = count;
                traced = spans.Stopped.Count;
                Assert.Equal(Calls, spansSeen);
            }
            Assert.Equal((Calls, Calls), (recorded, traced));
            if (round > 0)
                results.Add($"round {round}: {bare:0} calls/s without a listener, {observed:0} with a MeterListener and an ActivityListener " +
                    $"({100 * (observed - bare) / bare:+0.0;-0.0} %); in this process a call took {bareCpu:0.0} and {observedCpu:0.0} µs of CPU, " +
                    $"and allocated {bareBytes:0} and {observedBytes:0} bytes");
        }
        foreach (string line in results)
            output.WriteLine("[test] " + line);

        // Also counts the calls that ran under a span of the client's: none may while nothing listens.
        async Task<(double Rate, double CpuMicroseconds, double BytesPerCall, int Spans)> CallsPerSecondAsync()
        {
            int spans = 0;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < Calls; i++)
            {
                await client.CallAsync((c, ct) =>
                {
                    if (Activity.Current?.Source.Name == "Tunicorn.Client")
                        spans++;
                    return c.add(i, 1, ct);
                }, options);
            }
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double cpuMicroseconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / Calls;
            return (Calls / seconds, cpuMicroseconds, (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)Calls, spans);
        }
    }

    public void Dispose()
    {
        foreach (string line in _clientLog.Lines.Where(l => !l.Contains("] [Debug] ", StringComparison.Ordinal)).TakeLast(60))
            output.WriteLine(line);
    }
}
