using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tunicorn.Client;
using Tunicorn.Client.Balancing;
using Tunicorn.Client.DependencyInjection;
using Tunicorn.Client.Discovery;

namespace Tunicorn.Tests.Client;

public sealed class TunicornClientSettingsTests
{
    private static readonly string Name = typeof(FakeThriftClient).FullName!;

    [Fact]
    public void Bind_EveryKindsSection_AndTheClientOptions_FromJson()
    {
        var settings = Settings("""
            {
              "Calc": {
                "Discovery": "dns",
                "ZooKeeper": { "Hosts": "127.0.0.1:2181", "Service": "Calc", "SessionTimeout": "00:00:04" },
                "Etcd": { "Hosts": [ "http://127.0.0.1:2379", "127.0.0.1:2380" ], "Path": "/x/calc", "Auth": "u:p" },
                "Servers": [ "127.0.0.1:1", "127.0.0.1:2" ],
                "Dns": { "SrvName": "_thrift._tcp.calc", "NameServers": [ "127.0.0.1:5353" ], "RefreshInterval": "00:00:01" },
                "Balancing": "least_outstanding_requests",
                "Protocol": "compact",
                "Transport": "Framed",
                "CallTimeout": "00:00:02.5",
                "WaitForServers": "00:00:00",
                "EjectAfterFailures": 5,
                "RetryBudgetRatio": 0.1
              }
            }
            """);

        Assert.Equal(DiscoveryKind.Dns, settings.Discovery);
        Assert.Equal(("127.0.0.1:2181", "Calc", TimeSpan.FromSeconds(4)), (settings.ZooKeeper.Hosts, settings.ZooKeeper.Service, settings.ZooKeeper.SessionTimeout));
        Assert.Equal(["http://127.0.0.1:2379", "127.0.0.1:2380"], settings.Etcd.Hosts);
        Assert.Equal(("/x/calc", "u:p"), (settings.Etcd.Path, settings.Etcd.Auth));
        Assert.Equal(["127.0.0.1:1", "127.0.0.1:2"], settings.Servers);
        Assert.Equal(("_thrift._tcp.calc", TimeSpan.FromSeconds(1)), (settings.Dns.SrvName, settings.Dns.RefreshInterval));
        Assert.Equal(["127.0.0.1:5353"], settings.Dns.NameServers);
        Assert.Equal((ThriftWireProtocol.Compact, ThriftWireTransport.Framed), (settings.Protocol!.Value, settings.Transport!.Value));
        Assert.Equal((TimeSpan.FromSeconds(2.5), TimeSpan.Zero, 5, 0.1), (settings.CallTimeout!.Value, settings.WaitForServers!.Value, settings.EjectAfterFailures!.Value, settings.RetryBudgetRatio!.Value));
        Assert.Null(settings.ConnectTimeout);
    }

    [Fact]
    public void ToOptions_SettingsLeftOut_KeepTheOptionsDefaults_AndTheLoggerFactoryGoesToTheDiscoveryToo()
    {
        var loggerFactory = new NullLoggerFactory();
        var time = TimeProvider.System;
        var defaults = new TunicornClientOptions { Servers = ["x:1"] };

        var options = TunicornClientSettingsConverter.ToOptions(new TunicornClientSettings
        {
            Discovery = DiscoveryKind.Etcd,
            Etcd = new EtcdSettings { Hosts = ["127.0.0.1:2379"], Service = "Calc" },
            CallTimeout = TimeSpan.FromSeconds(3),
        }, discovery: null, balancing: null, loggerFactory, time);

        Assert.Equal(TimeSpan.FromSeconds(3), options.CallTimeout);
        Assert.Equal((defaults.ConnectTimeout, defaults.EjectAfterFailures, defaults.WaitForServers, defaults.RetryBudgetRatio),
            (options.ConnectTimeout, options.EjectAfterFailures, options.WaitForServers, options.RetryBudgetRatio));
        Assert.IsType<RoundRobinPolicy>(options.Balancing);
        Assert.Same(loggerFactory, options.LoggerFactory);
        Assert.Same(loggerFactory, options.Etcd!.LoggerFactory);
        Assert.Equal(["127.0.0.1:2379"], options.Etcd.Hosts);
        Assert.Null(options.ZooKeeper);
        Assert.Null(options.Servers);
        Assert.Null(options.Discovery);
    }

    [Fact]
    public void ToOptions_Dns_BuildsADnsDiscoveryTheClientOwns()
    {
        var options = TunicornClientSettingsConverter.ToOptions(new TunicornClientSettings
        {
            Discovery = DiscoveryKind.Dns,
            Dns = new DnsSettings { Host = "calc.example", Port = 9090 },
        }, null, null, null, TimeProvider.System);

        Assert.Equal("dns A/AAAA calc.example:9090", Assert.IsType<DnsDiscovery>(options.Discovery).Description);
        Assert.True(options.DisposeDiscovery);
    }

    [Theory]
    [InlineData("""{ "Calc": { } }""", "Calc:Discovery is not set")]
    [InlineData("""{ "Calc": { "Discovery": "zookeeper" } }""", "Calc:ZooKeeper:Service (or Calc:ZooKeeper:Path) is not set")]
    [InlineData("""{ "Calc": { "Discovery": "etcd", "Etcd": { "Hosts": [ "x:1" ] } } }""", "Calc:Etcd:Service (or Calc:Etcd:Path) is not set")]
    [InlineData("""{ "Calc": { "Discovery": "static" } }""", "Calc:Servers lists no")]
    [InlineData("""{ "Calc": { "Discovery": "dns", "Dns": { "Host": "a" } } }""", "Calc:Dns:Port must be from 1 to 65535")]
    [InlineData("""{ "Calc": { "Discovery": "dns" } }""", "set one of Calc:Dns:Host")]
    [InlineData("""{ "Calc": { "Discovery": "static", "Servers": [ "a:1" ], "Balancing": "fastest" } }""", "Calc:Balancing 'fastest' is none of")]
    public async Task Resolve_InvalidSettings_ThrowsOptionsValidation_NamingTheKey(string json, string message)
    {
        await using var provider = Provider(json);

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<TunicornClient<FakeThriftClient>>());

        Assert.Contains(message, e.Message);
    }

    [Fact]
    public async Task Resolve_StaticSettings_OneSingleton_WithTheServers_DisposedWithTheContainer()
    {
        var provider = Provider("""{ "Calc": { "Discovery": "Static", "Servers": [ "127.0.0.1:1", "127.0.0.1:2" ] } }""");
        var client = provider.GetRequiredService<TunicornClient<FakeThriftClient>>();
        Assert.Same(client, provider.GetRequiredService<TunicornClient<FakeThriftClient>>());

        await client.StartAsync();
        Assert.Equal(["127.0.0.1:1", "127.0.0.1:2"], client.Servers.Select(s => s.Address));

        await provider.DisposeAsync();
        var e = Assert.Throws<ObjectDisposedException>(() => { _ = client.StartAsync(); });
        Assert.Contains("TunicornClient<", e.ObjectName);
    }

    [Fact]
    public async Task StartupValidation_InvalidSettings_FailAtStart_AsAHostsValidateOnStartDoes()
    {
        await using var provider = Provider("""{ "Calc": { "Discovery": "etcd" } }""");

        var e = await Assert.ThrowsAsync<OptionsValidationException>(
            () => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None));

        Assert.Contains("Calc:Etcd:Service (or Calc:Etcd:Path) is not set", e.Message);
    }

    [Fact]
    public async Task TwoClientTypes_TwoSingletons_EachWithItsOwnSettings()
    {
        var services = new ServiceCollection();
        services.AddTunicornClient<FakeThriftClient>(settings => (settings.Discovery, settings.Servers) = (DiscoveryKind.Static, ["127.0.0.1:1"]));
        services.AddTunicornClient<OtherFakeThriftClient>(settings => (settings.Discovery, settings.Servers) = (DiscoveryKind.Static, ["127.0.0.1:2"]));
        await using var provider = services.BuildServiceProvider();

        var one = provider.GetRequiredService<TunicornClient<FakeThriftClient>>();
        var other = provider.GetRequiredService<TunicornClient<OtherFakeThriftClient>>();
        await Task.WhenAll(one.StartAsync(), other.StartAsync());

        Assert.Equal(["127.0.0.1:1"], one.Servers.Select(s => s.Address));
        Assert.Equal(["127.0.0.1:2"], other.Servers.Select(s => s.Address));
    }

    [Fact]
    public async Task UseDiscovery_WinsOverTheSettings_AndNeedsNoDiscoveryKind()
    {
        var discovery = new StaticDiscovery("127.0.0.1:7");
        var services = new ServiceCollection();
        services.AddTunicornClient<FakeThriftClient>(settings => settings.CallTimeout = TimeSpan.FromSeconds(1))
            .UseDiscovery(_ => discovery)
            .UseBalancing(_ => new RandomPolicy());
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<TunicornClient<FakeThriftClient>>();
        await client.StartAsync();

        Assert.Equal(["127.0.0.1:7"], client.Servers.Select(s => s.Address));
    }

    [Fact]
    public async Task Resolve_TheContainersLoggerFactory_LogsTheClientsLines()
    {
        var services = new ServiceCollection();
        var logged = new RecordingLoggerFactory();
        services.AddSingleton<ILoggerFactory>(logged);
        services.AddTunicornClient<FakeThriftClient>(Section("""{ "Calc": { "Discovery": "static", "Servers": [ "127.0.0.1:1" ] } }"""));
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<TunicornClient<FakeThriftClient>>().StartAsync();

        Assert.Contains(logged.Lines, l => l.StartsWith("tunicorn.client: Servers from static 127.0.0.1:1: 1", StringComparison.Ordinal));
    }

    private static TunicornClientSettings Settings(string json)
    {
        var services = new ServiceCollection();
        services.AddTunicornClient<FakeThriftClient>(Section(json));
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<TunicornClientSettings>>().Get(Name);
    }

    private static ServiceProvider Provider(string json)
    {
        var services = new ServiceCollection();
        services.AddTunicornClient<FakeThriftClient>(Section(json));
        return services.BuildServiceProvider();
    }

    private static IConfigurationSection Section(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection("Calc");
}
