using System.Diagnostics;
using Tunicorn.IntegrationTests.Harness;
using Tunicorn.TestApp;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// Acceptance 2 with ZooKeeper, seen by kazoo: the member nodes appear when the master is ready with the documented
/// JSON, go on TERM before the workers drain, expire after kill -9, and come back after ZooKeeper is restarted.
/// </summary>
public sealed class ZooKeeperRegistrationTests(ITestOutputHelper output)
{
    private const int SessionSeconds = 3;

    [Fact]
    public async Task Register_WhenReady_OneMemberPerAddressWithTheDocumentedJson_AndTermRemovesThemBeforeWorkersDrain()
    {
        await using var zk = await ZooKeeperServer.CreateAsync(output);
        using var dir = new TestDirectory("zk-term");
        string callLog = dir.File("calls.log");
        string service = EtcdRegistrationTests.Service("term");
        int port1 = FreePort.Next(), port2 = FreePort.Next();
        await using var watch = await KazooWatch.StartAsync(zk.Address, $"/tunicorn/services/{service}");
        var server = TunicornServer.Start(
        [
            TestServiceApp.Spec, "-b", $"127.0.0.1:{port1}", "-b", $"127.0.0.1:{port2}", "-w", "1", "--graceful-timeout", "10",
            "--thrift-protocol-factory", "compact", "--service-register-cls", "zookeeper", "--service-register-conf", Conf(zk, service),
        ], output, new Dictionary<string, string?> { [TestServiceHandler.CallLogVariable] = callLog });
        await using var _ = server;
        await server.WaitForReadyAsync(1);

        var members = await watch.WaitForMembersAsync(2);
        Assert.All(members.Keys, name => Assert.Matches("^member_[0-9]{10}$", name));
        var json = members.Values.Single(m => m.GetProperty("port").GetInt32() == port1);
        Assert.Equal(
            ["host", "metadata", "multiplexed", "pid", "port", "protocol", "services", "start_time", "transport", "version", "weight"],
            json.EnumerateObject().Select(p => p.Name)); // kazoo's script sorts the keys
        Assert.Equal("127.0.0.1", json.GetProperty("host").GetString());
        Assert.Equal(server.MasterPid, json.GetProperty("pid").GetInt32());
        Assert.Equal("compact", json.GetProperty("protocol").GetString());
        Assert.Equal("buffered", json.GetProperty("transport").GetString());
        Assert.Equal(["TestService"], json.GetProperty("services").EnumerateArray().Select(s => s.GetString()));
        Assert.Contains(members.Values, m => m.GetProperty("port").GetInt32() == port2);

        using var client = await ThriftClients.TestServiceAsync(port1, protocol: "compact");
        var slow = client.sleep(3000);
        await Eventually.WaitUntilAsync(() => File.Exists(callLog) && File.ReadAllText(callLog).Contains("sleep_start", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the slow call started in the worker", server.Describe);
        Assert.True(server.Signal(UnixSignal.Term));

        await watch.WaitForMembersAsync(0);
        Assert.False(server.HasExited, "the master exited before its members were gone");
        Assert.False(slow.IsCompleted, "the worker finished draining before the members were gone");
        await slow.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    // With digest auth: the member's ACL is "creator may do anything, anyone may read", so kazoo reads it without credentials.
    [Fact]
    public async Task KillMinus9_OfMasterAndWorkers_TheServersetMemberGoesWithinTheSessionTimeout()
    {
        await using var zk = await ZooKeeperServer.CreateAsync(output);
        string service = EtcdRegistrationTests.Service("kill");
        int port = FreePort.Next();
        await using var watch = await KazooWatch.StartAsync(zk.Address, $"/tunicorn/services/{service}");
        await using var server = await TunicornServer.StartAsync(TestServiceApp.Spec, port, 1,
            ["--service-register-cls", "zookeeper", "--service-register-conf", Conf(zk, service, """, "format": "serverset", "auth": "svc:secret" """)], output);

        var member = (await watch.WaitForMembersAsync(1)).Values.Single();
        Assert.Equal($$"""{"additionalEndpoints": {}, "serviceEndpoint": {"host": "127.0.0.1", "port": {{port}}}, "shard": 0, "status": "ALIVE"}""",
            member.GetRawText().Replace("\n", "", StringComparison.Ordinal));

        var clock = Stopwatch.StartNew();
        foreach (int pid in server.WorkerPids().Append(server.MasterPid))
            Posix.Kill(pid, UnixSignal.Kill);
        await watch.WaitForMembersAsync(0, TimeSpan.FromSeconds(SessionSeconds + 5));

        output.WriteLine($"[test] member gone {clock.Elapsed.TotalSeconds:0.00} s after kill -9 (session timeout {SessionSeconds} s)");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(SessionSeconds + 1), $"the member outlived the session: {clock.Elapsed.TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task ZooKeeperDownAtStart_ServesAnyway_RegistersWhenItStarts_AndAgainAfterARestartThatLostTheData()
    {
        await using var zk = await ZooKeeperServer.CreateAsync(output, start: false);
        string service = EtcdRegistrationTests.Service("down");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(TestServiceApp.Spec, port, 1,
            ["--service-register-cls", "zookeeper", "--service-register-conf", Conf(zk, service)], output);

        await server.WaitForLogAsync(RegistryLogPatterns.Unavailable, TimeSpan.FromSeconds(10));
        using (var client = await ThriftClients.TestServiceAsync(port))
            Assert.Equal(5, await client.add(2, 3));

        await zk.StartAsync();
        await server.WaitForLogAsync(RegistryLogPatterns.Registered, TimeSpan.FromSeconds(15));
        await using (var watch = await KazooWatch.StartAsync(zk.Address, $"/tunicorn/services/{service}"))
            await watch.WaitForMembersAsync(1);

        // A new ZooKeeper without the old data: the session is unknown there, so it expires and a new one registers.
        int mark = server.LogMark;
        await zk.KillAsync();
        await zk.StartAsync(freshData: true);
        await server.WaitForLogAsync(RegistryLogPatterns.RegisteredAgain, TimeSpan.FromSeconds(SessionSeconds + 15), mark);
        await using (var watch = await KazooWatch.StartAsync(zk.Address, $"/tunicorn/services/{service}"))
            await watch.WaitForMembersAsync(1);
    }

    internal static string Conf(ZooKeeperServer zk, string service, string extra = "") =>
        $$"""{"hosts": "{{zk.Address}}", "service": "{{service}}", "timeout": {{SessionSeconds}}{{extra}}}""";
}
