using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tunicorn.Client;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// Issue 18 items 6 and 8: a client built by the container from an appsettings.json file (AddTunicornClient) and
/// injected into a consumer, against real masters found through ZooKeeper, etcd, a static list, and DNS (A and SRV
/// records from <see cref="LoopbackDnsServer"/>). The container's logger factory gets the client's and the discovery's lines.
/// </summary>
public sealed class DependencyInjectionClientTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestOutputLogger _log = new();
    private readonly TestDirectory _directory = new("di");
    private readonly Dictionary<TunicornServer, int> _ports = [];

    [Fact]
    public async Task AppSettings_ZooKeeper_TheInjectedClientCallsEveryRegisteredMaster()
    {
        await using var zk = await ZooKeeperServer.CreateAsync(output);
        string service = EtcdRegistrationTests.Service("di-zk");
        var masters = await StartMastersAsync(2, ["--service-register-cls", "zookeeper", "--service-register-conf", ZooKeeperRegistrationTests.Conf(zk, service)]);
        await using var _ = new AsyncDisposables(masters);
        await using var provider = Provider($$"""
            { "TestService": { "Discovery": "zookeeper", "ZooKeeper": { "Hosts": "{{zk.Address}}", "Service": "{{service}}" }, "CallTimeout": "00:00:10" } }
            """);

        await AssertEveryMasterAnswersAsync(provider, masters);
        Assert.Contains(_log.Lines, l => l.Contains($"5001 Servers from zookeeper {zk.Address}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AppSettings_Etcd_TheInjectedClientCallsEveryRegisteredMaster()
    {
        await using var etcd = await EtcdServer.CreateAsync(output);
        string service = EtcdRegistrationTests.Service("di-etcd");
        var masters = await StartMastersAsync(2, ["--service-register-cls", "etcd", "--service-register-conf", EtcdRegistrationTests.Conf(etcd, service)]);
        await using var _ = new AsyncDisposables(masters);
        await using var provider = Provider($$"""
            { "TestService": { "Discovery": "etcd", "Etcd": { "Hosts": [ "{{etcd.Endpoint}}" ], "Service": "{{service}}" }, "Balancing": "least_outstanding_requests" } }
            """);

        await AssertEveryMasterAnswersAsync(provider, masters);
        Assert.Contains(_log.Lines, l => l.Contains($"5001 Servers from etcd {etcd.Endpoint}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AppSettings_StaticList_TheInjectedClientCallsEveryListedMaster()
    {
        var masters = await StartMastersAsync(2);
        await using var _ = new AsyncDisposables(masters);
        await using var provider = Provider($$"""
            { "TestService": { "Discovery": "static", "Servers": [ "127.0.0.1:{{PortOf(masters[0])}}", "127.0.0.1:{{PortOf(masters[1])}}" ] } }
            """);

        await AssertEveryMasterAnswersAsync(provider, masters);
    }

    [Fact]
    public async Task AppSettings_DnsARecords_TheInjectedClientCallsTheMaster_AndAnUnknownNameIsNoServerRegistered()
    {
        await using var dns = LoopbackDnsServer.Start();
        dns.SetA("testservice.tunicorn.test", IPAddress.Loopback);
        var masters = await StartMastersAsync(1);
        await using var _ = new AsyncDisposables(masters);
        await using var provider = Provider($$"""
            { "TestService": { "Discovery": "dns", "Dns": { "Host": "testservice.tunicorn.test", "Port": {{PortOf(masters[0])}}, "NameServers": [ "{{dns.Address}}" ] } } }
            """);

        await AssertEveryMasterAnswersAsync(provider, masters);

        await using var unknown = Provider($$"""
            { "TestService": { "Discovery": "dns", "Dns": { "Host": "nothing.tunicorn.test", "Port": 9, "NameServers": [ "{{dns.Address}}" ] }, "WaitForServers": "00:00:03" } }
            """);
        var e = await Assert.ThrowsAsync<NoServerAvailableException>(() => unknown.GetRequiredService<TestServiceConsumer>().WorkerPidAsync());
        Assert.Equal(CallFailureReason.NoServerRegistered, e.Reason);
    }

    [Fact]
    public async Task AppSettings_DnsSrvRecords_FollowsTheRecords_AndKeepsTheLastSetWhileTheNameServerIsDown()
    {
        await using var dns = LoopbackDnsServer.Start();
        const string srv = "_thrift._tcp.testservice.tunicorn.test";
        var masters = await StartMastersAsync(2);
        await using var _ = new AsyncDisposables(masters);
        dns.SetA("a.tunicorn.test", IPAddress.Loopback);
        dns.SetA("b.tunicorn.test", IPAddress.Loopback);
        dns.SetSrv(srv, ("a.tunicorn.test", PortOf(masters[0]), 10, 1), ("b.tunicorn.test", PortOf(masters[1]), 10, 1));
        await using var provider = Provider($$"""
            {
              "TestService": {
                "Discovery": "dns",
                "Dns": { "SrvName": "{{srv}}", "NameServers": [ "{{dns.Address}}" ], "RefreshInterval": "00:00:00.2", "QueryTimeout": "00:00:00.3" }
              }
            }
            """);
        await AssertEveryMasterAnswersAsync(provider, masters);
        var consumer = provider.GetRequiredService<TestServiceConsumer>();

        // A record removed: the client follows within a refresh or two.
        dns.SetSrv(srv, ("b.tunicorn.test", PortOf(masters[1]), 10, 1));
        await WaitForServersAsync(consumer.Client, [$"127.0.0.1:{PortOf(masters[1])}"]);
        int survivor = masters[1].WorkerPids().Single();
        for (int i = 0; i < 10; i++)
            Assert.Equal(survivor, await consumer.WorkerPidAsync());

        // The name server stops answering: an outage, logged once; the last set stays and serves.
        dns.Answering = false;
        await Eventually.WaitUntilAsync(() => _log.Lines.Any(l => l.Contains($"5005 Discovery from dns SRV {srv} via {dns.Address} unavailable", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the outage is logged", () => string.Join("\n", _log.Lines));
        int queries = dns.Queries;
        await Eventually.WaitUntilAsync(() => dns.Queries > queries + 2, TimeSpan.FromSeconds(10), "the name is asked again during the outage");
        Assert.Equal([$"127.0.0.1:{PortOf(masters[1])}"], consumer.Client.Servers.Select(s => s.Address));
        for (int i = 0; i < 10; i++)
            Assert.Equal(survivor, await consumer.WorkerPidAsync());

        // Back, with both records: the recovery is logged and both masters serve again.
        dns.SetSrv(srv, ("a.tunicorn.test", PortOf(masters[0]), 10, 1), ("b.tunicorn.test", PortOf(masters[1]), 10, 1));
        dns.Answering = true;
        await WaitForServersAsync(consumer.Client, [$"127.0.0.1:{PortOf(masters[0])}", $"127.0.0.1:{PortOf(masters[1])}"]);
        // The new set is published just before the recovery is logged: wait for the line, do not race it.
        await Eventually.WaitUntilAsync(() => _log.Lines.Any(l => l.Contains("5006 Discovery from dns SRV", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the recovery is logged", () => string.Join("\n", _log.Lines));
        await AssertEveryMasterAnswersAsync(provider, masters);
    }

    public void Dispose()
    {
        foreach (string line in _log.Lines.TakeLast(100))
            output.WriteLine(line);
        _directory.Dispose();
    }

    /// <summary>A container as an application builds it: settings from an appsettings.json file, logging, the client and a consumer.</summary>
    private ServiceProvider Provider(string appSettings)
    {
        string file = _directory.File($"appsettings-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, appSettings);
        var configuration = new ConfigurationBuilder().AddJsonFile(file).Build();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(_log);
        services.AddTunicornClient<testapp.TestService.Client>(configuration.GetSection("TestService"));
        services.AddSingleton<TestServiceConsumer>();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private async Task<TunicornServer[]> StartMastersAsync(int count, IEnumerable<string>? arguments = null)
    {
        int[] ports = [.. Enumerable.Range(0, count).Select(_ => FreePort.Next())];
        var masters = await Task.WhenAll(ports.Select(port => TunicornServer.StartAsync(TestServiceApp.Spec, port, 1, arguments, output)));
        for (int i = 0; i < count; i++)
            _ports[masters[i]] = ports[i];
        return masters;
    }

    private int PortOf(TunicornServer master) => _ports[master];

    /// <summary>The injected consumer's calls reach the worker of every master (round robin, or whichever policy: enough calls).</summary>
    private async Task AssertEveryMasterAnswersAsync(IServiceProvider provider, IReadOnlyList<TunicornServer> masters)
    {
        var consumer = provider.GetRequiredService<TestServiceConsumer>();
        Assert.Same(provider.GetRequiredService<TunicornClient<testapp.TestService.Client>>(), consumer.Client);
        await WaitForServersAsync(consumer.Client, [.. masters.Select(m => $"127.0.0.1:{PortOf(m)}")]);
        var workers = masters.Select(m => m.WorkerPids().Single()).ToHashSet();
        var answered = new HashSet<int>();
        await Eventually.WaitUntilAsync(async () =>
        {
            answered.Add(await consumer.WorkerPidAsync());
            return answered.SetEquals(workers);
        }, TimeSpan.FromSeconds(15), "every master answered a call", () => $"answered by {string.Join(", ", answered)} of {string.Join(", ", workers)}");
    }

    private static Task WaitForServersAsync(TunicornClient<testapp.TestService.Client> client, string[] addresses) =>
        Eventually.WaitUntilAsync(async () =>
        {
            await client.StartAsync();
            return client.Servers.Select(s => s.Address).Order(StringComparer.Ordinal).SequenceEqual(addresses.Order(StringComparer.Ordinal));
        }, TimeSpan.FromSeconds(15), $"the client sees {string.Join(", ", addresses)}", () => "now: " + string.Join(", ", client.Servers));
}
