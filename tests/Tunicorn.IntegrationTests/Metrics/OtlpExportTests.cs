using shared;
using tutorial;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Metrics;

/// <summary>otlp_endpoint: the master exports the summed metrics over OTLP/HTTP to a receiver in the test.</summary>
public sealed class OtlpExportTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TheDurationHistogram_ArrivesWithTheRpcAttributes_CountedOverTheWorkers()
    {
        await using var receiver = new OtlpReceiver();
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 2,
            ["--otlp-endpoint", receiver.Endpoint, "--name", "otlp-test"], output,
            new Dictionary<string, string?> { ["OTEL_METRIC_EXPORT_INTERVAL"] = "500" });
        for (int i = 0; i < 10; i++)
        {
            using var client = await ThriftClients.CalculatorAsync(port);
            await client.add(i, i);
        }
        using (var client = await ThriftClients.CalculatorAsync(port))
            await Assert.ThrowsAsync<InvalidOperation>(() => client.calculate(1, new Work { Num1 = 1, Num2 = 0, Op = Operation.DIVIDE }));

        Dictionary<string, string>? ok = null, failed = null;
        ulong okCount = 0, failedCount = 0;
        string unit = "";
        await Eventually.WaitUntilAsync(() =>
        {
            foreach (var (path, contentType, body) in receiver.Requests)
            {
                Assert.Equal("/v1/metrics", path);
                Assert.Equal("application/x-protobuf", contentType);
                var metrics = ProtoMessage.Parse(body).Messages(1).SelectMany(r => r.Messages(2)).SelectMany(s => s.Messages(2));
                foreach (var metric in metrics.Where(m => m.String(1) == "rpc.server.call.duration"))
                {
                    unit = metric.String(3) ?? "";
                    foreach (var point in metric.Message(9)?.Messages(1) ?? [])
                    {
                        var attributes = point.Messages(9).ToDictionary(kv => kv.String(1)!, kv => kv.Message(2)?.String(1) ?? "");
                        ulong count = point.Number(4) ?? 0;
                        if (attributes.GetValueOrDefault("rpc.method") == "Calculator/add" && count >= okCount)
                            (ok, okCount) = (attributes, count);
                        if (attributes.GetValueOrDefault("rpc.method") == "Calculator/calculate" && count >= failedCount)
                            (failed, failedCount) = (attributes, count);
                    }
                }
            }
            return okCount == 10 && failedCount == 1;
        }, TimeSpan.FromSeconds(30), "the OTLP export of 10 add calls and 1 failed calculate",
            () => $"{receiver.Requests.Count} exports; add {okCount}, calculate {failedCount}{Environment.NewLine}{server.Log.Tail()}");

        output.WriteLine($"[test] {receiver.Requests.Count} exports; add: {string.Join(", ", ok!)}; calculate: {string.Join(", ", failed!)}");
        Assert.Equal("s", unit);
        Assert.Equal("apache_thrift", ok!["rpc.system.name"]);
        Assert.False(ok.ContainsKey("error.type"));
        Assert.Equal("apache_thrift", failed!["rpc.system.name"]);
        Assert.Equal("InvalidOperation", failed["error.type"]);
    }
}
