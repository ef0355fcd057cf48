using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tunicorn.IntegrationTests.Harness;
using Tunicorn.TestApp;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// Acceptance 2 with etcd: the master's keys, as etcdctl sees them, appear when it is ready with the documented JSON,
/// go on TERM before the workers drain, expire after kill -9, and come back after etcd is restarted.
/// </summary>
public sealed class EtcdRegistrationTests(ITestOutputHelper output)
{
    private const int LeaseSeconds = 3;

    [Fact]
    public async Task Register_WhenReady_OneKeyPerAddressWithTheDocumentedJson_AndTermRemovesThemBeforeWorkersDrain()
    {
        await using var etcd = await EtcdServer.CreateAsync(output);
        using var dir = new TestDirectory("etcd-term");
        string callLog = dir.File("calls.log");
        string service = Service("term");
        int port1 = FreePort.Next(), port2 = FreePort.Next();
        var server = TunicornServer.Start(
        [
            TestServiceApp.Spec, "-b", $"127.0.0.1:{port1}", "-b", $"127.0.0.1:{port2}", "-w", "1", "--graceful-timeout", "10",
            "--thrift-transport-factory", "framed",
            "--service-register-cls", "etcd",
            "--service-register-conf", $$$"""{"hosts": "{{{etcd.Endpoint}}}", "service": "{{{service}}}", "timeout": {{{LeaseSeconds}}}, "metadata": {"zone": "test"}}""",
        ], output, new Dictionary<string, string?> { [TestServiceHandler.CallLogVariable] = callLog });
        await using var _ = server;
        await server.WaitForReadyAsync(1);
        string prefix = $"/tunicorn/services/{service}/";

        var keys = await WaitForKeysAsync(etcd, prefix, 2);
        Assert.Equal(new[] { $"{prefix}127.0.0.1:{port1}-{server.MasterPid}", $"{prefix}127.0.0.1:{port2}-{server.MasterPid}" }.Order(), keys.Keys.Order());
        using (var entry = JsonDocument.Parse(keys[$"{prefix}127.0.0.1:{port1}-{server.MasterPid}"]))
        {
            var json = entry.RootElement;
            Assert.Equal(
                ["host", "port", "pid", "weight", "protocol", "transport", "multiplexed", "services", "version", "start_time", "metadata"],
                json.EnumerateObject().Select(p => p.Name));
            Assert.Equal("127.0.0.1", json.GetProperty("host").GetString());
            Assert.Equal(port1, json.GetProperty("port").GetInt32());
            Assert.Equal(server.MasterPid, json.GetProperty("pid").GetInt32());
            Assert.Equal(1, json.GetProperty("weight").GetInt32());
            Assert.Equal("binary", json.GetProperty("protocol").GetString());
            Assert.Equal("framed", json.GetProperty("transport").GetString());
            Assert.Equal(["TestService"], json.GetProperty("services").EnumerateArray().Select(s => s.GetString()));
            Assert.False(string.IsNullOrEmpty(json.GetProperty("version").GetString()));
            Assert.True(DateTimeOffset.UtcNow - json.GetProperty("start_time").GetDateTimeOffset() < TimeSpan.FromMinutes(1));
            Assert.Equal("test", json.GetProperty("metadata").GetProperty("zone").GetString());
        }

        // A slow call keeps the worker busy: the keys must go while it still runs.
        using var client = await ThriftClients.TestServiceAsync(port1, transport: "framed");
        var slow = client.sleep(3000);
        await Eventually.WaitUntilAsync(() => File.Exists(callLog) && File.ReadAllText(callLog).Contains("sleep_start", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the slow call started in the worker", server.Describe);
        Assert.True(server.Signal(UnixSignal.Term));

        await WaitForKeysAsync(etcd, prefix, 0);
        Assert.False(server.HasExited, "the master exited before its keys were gone");
        Assert.False(slow.IsCompleted, "the worker finished draining before the keys were gone");
        await slow.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        // The exit can be seen before the reader of stderr has taken the last lines.
        await Eventually.WaitUntilAsync(() => server.Log.Matches(LogPatterns.WorkerExiting).Count > 0,
            TimeSpan.FromSeconds(5), "the worker's exit line", server.Describe);
        var log = server.Log.Snapshot();
        int deregistered = IndexOf(log, RegistryLogPatterns.Deregistered);
        Assert.True(deregistered >= 0 && deregistered < IndexOf(log, LogPatterns.WorkerExiting), "Deregistered must be logged before any worker exits");
    }

    [Fact]
    public async Task KillMinus9_OfMasterAndWorkers_TheKeyExpiresWithinTheLeaseTtl()
    {
        await using var etcd = await EtcdServer.CreateAsync(output);
        string service = Service("kill");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(TestServiceApp.Spec, port, 1,
            ["--service-register-cls", "etcd", "--service-register-conf", Conf(etcd, service)], output);
        string prefix = $"/tunicorn/services/{service}/";
        await WaitForKeysAsync(etcd, prefix, 1);

        var clock = Stopwatch.StartNew();
        foreach (int pid in server.WorkerPids().Append(server.MasterPid))
            Posix.Kill(pid, UnixSignal.Kill);
        await WaitForKeysAsync(etcd, prefix, 0, TimeSpan.FromSeconds(LeaseSeconds + 5));

        output.WriteLine($"[test] key gone {clock.Elapsed.TotalSeconds:0.00} s after kill -9 (lease {LeaseSeconds} s)");
        // etcd checks expiry every 500 ms; etcdctl takes ~50 ms per read.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(LeaseSeconds + 1), $"the key outlived its lease: {clock.Elapsed.TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task EtcdDownAtStart_ServesAnyway_RegistersWhenItStarts_AndAgainAfterARestartThatLostTheData()
    {
        await using var etcd = await EtcdServer.CreateAsync(output, start: false);
        string service = Service("down");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(TestServiceApp.Spec, port, 1,
            ["--service-register-cls", "etcd", "--service-register-conf", Conf(etcd, service)], output);
        string prefix = $"/tunicorn/services/{service}/";

        await server.WaitForLogAsync(RegistryLogPatterns.Unavailable, TimeSpan.FromSeconds(10));
        using (var client = await ThriftClients.TestServiceAsync(port))
            Assert.Equal(5, await client.add(2, 3));

        await etcd.StartAsync();
        await WaitForKeysAsync(etcd, prefix, 1, TimeSpan.FromSeconds(10));
        await server.WaitForLogAsync(RegistryLogPatterns.Registered, TimeSpan.FromSeconds(5));

        int mark = server.LogMark;
        await etcd.KillAsync();
        // A new etcd without the old data: the lease and the key are gone, the master must grant and put them again.
        await etcd.StartAsync(freshData: true);
        await WaitForKeysAsync(etcd, prefix, 1, TimeSpan.FromSeconds(LeaseSeconds + 10));
        await server.WaitForLogAsync(RegistryLogPatterns.RegisteredAgain, TimeSpan.FromSeconds(5), mark);
    }

    internal static string Service(string test) => $"{test}-{Guid.NewGuid().ToString("N")[..8]}";

    internal static string Conf(EtcdServer etcd, string service, int leaseSeconds = LeaseSeconds) =>
        $$"""{"hosts": "{{etcd.Endpoint}}", "service": "{{service}}", "timeout": {{leaseSeconds.ToString(CultureInfo.InvariantCulture)}}}""";

    internal static async Task<IReadOnlyDictionary<string, string>> WaitForKeysAsync(EtcdServer etcd, string prefix, int count, TimeSpan? timeout = null)
    {
        IReadOnlyDictionary<string, string> keys = new Dictionary<string, string>();
        await Eventually.WaitUntilAsync(async () => (keys = await etcd.GetAsync(prefix)).Count == count, timeout ?? TimeSpan.FromSeconds(10),
            $"{count} keys under {prefix}", () => "now: " + string.Join(", ", keys.Keys));
        return keys;
    }

    private static int IndexOf(IReadOnlyList<string> lines, System.Text.RegularExpressions.Regex pattern)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            if (pattern.IsMatch(lines[i]))
                return i;
        }
        return -1;
    }
}
