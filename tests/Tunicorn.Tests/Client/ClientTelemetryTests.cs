using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Thrift.Protocol;
using Thrift.Protocol.Entities;
using Thrift.Transport.Client;
using Tunicorn.Client;
using Tunicorn.Client.Discovery;
using Tunicorn.Client.Pooling;
using Tunicorn.TestSupport;
using Tunicorn.Tests.Master;

namespace Tunicorn.Tests.Client;

/// <summary>
/// Metrics, spans and call information (issue 18, item 9) where no server is needed. The only class here that adds
/// activity listeners: its tests run one at a time, so "nothing listens" can be checked.
/// </summary>
public sealed class ClientTelemetryTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Call_NoServerRegistered_RecordsItsDuration_WithErrorType_WithoutServer_AndCallsOnCompleted()
    {
        using var metrics = new MetricRecorder();
        var discovery = new ManualDiscovery();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions
        {
            ConnectTimeout = LoopbackAcceptor.ConnectTimeout,
            Discovery = discovery,
            WaitForServers = TimeSpan.Zero,
            MeterFactory = metrics,
        });
        await client.StartAsync();
        discovery.Publish();
        CallInfo? info = null;

        var e = await Assert.ThrowsAsync<NoServerAvailableException>(() =>
            client.CallAsync((c, ct) => Task.FromResult(c.SeqId), new CallOptions { OnCompleted = i => info = i }));

        var duration = Assert.Single(metrics.Recorded("rpc.client.call.duration"));
        Assert.Equal("s", duration.Unit);
        Assert.InRange(duration.Value, 0, Wait.TotalSeconds);
        Assert.Equal("apache_thrift", duration.Tag("rpc.system.name"));
        Assert.Equal("no_server_registered", duration.Tag("error.type"));
        Assert.False(duration.Tags.ContainsKey("server.address"));
        Assert.False(duration.Tags.ContainsKey("rpc.method"));
        Assert.NotNull(info);
        Assert.Same(e, info.Error);
        Assert.Null(info.Server);
        Assert.Null(info.Method);
        Assert.Equal(0, info.Attempts);
    }

    [Fact]
    public async Task Call_ConnectionRefused_SpanIsAClientChildOfTheCaller_NamedAfterTheSystem_StatusErrorWithTheFailure()
    {
        using var spans = new SpanRecorder();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { Servers = ["127.0.0.1:1"] });

        var e = await Assert.ThrowsAsync<NoServerAvailableException>(() => client.CallAsync((c, ct) => Task.FromResult(c.SeqId)));

        var span = Assert.Single(spans.Stopped);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal(spans.Root.SpanId, span.ParentSpanId);
        Assert.Equal("apache_thrift", span.DisplayName);
        Assert.Equal("apache_thrift", span.GetTagItem("rpc.system.name"));
        Assert.Equal("connect_failed", span.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(e.Message, span.StatusDescription);
        // The caller's activity is current again once the call returned.
        Assert.Same(spans.Root, Activity.Current);
    }

    [Fact]
    public async Task HedgedCall_TheHedgeIsAnEventOnTheCallsOneSpan_NamingTheSlowServer_TheSpanNamesTheOneThatAnswered()
    {
        using var a = new LoopbackAcceptor();
        using var b = new LoopbackAcceptor();
        using var spans = new SpanRecorder();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { ConnectTimeout = LoopbackAcceptor.ConnectTimeout, Servers = [a.Address, b.Address] });
        int invocations = 0;

        await client.CallAsync(async (c, ct) =>
        {
            if (Interlocked.Increment(ref invocations) == 1)
                await Task.Delay(Timeout.Infinite, ct);
            return 0;
        }, new CallOptions { Idempotent = true, HedgeAfter = TimeSpan.FromMilliseconds(20), Timeout = Wait });

        var span = Assert.Single(spans.Stopped);
        var hedge = Assert.Single(span.Events, e => e.Name == "tunicorn.client.hedge");
        int slow = (int)hedge.Tags.Single(t => t.Key == "server.port").Value!;
        Assert.Contains(slow, new[] { a.Port, b.Port });
        Assert.NotEqual(slow, span.GetTagItem("server.port"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    [Fact]
    public async Task NothingListening_CallsAreNotObserved_NoActivity_UntilSomethingListens()
    {
        using var server = new LoopbackAcceptor();
        using var unheard = new MetricRecorder(listen: false);
        var metrics = ClientMetrics.For(unheard);
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { ConnectTimeout = LoopbackAcceptor.ConnectTimeout, Servers = [server.Address], MeterFactory = unheard });
        Activity? during = new("placeholder");

        await client.CallAsync((c, ct) =>
        {
            during = Activity.Current;
            return Task.FromResult(0);
        });

        Assert.Null(during);
        Assert.False(CallObserver.Wanted(metrics, onCompleted: null));
        Assert.True(CallObserver.Wanted(metrics, onCompleted: _ => { }));
        using var heard = new MetricRecorder();
        Assert.True(CallObserver.Wanted(ClientMetrics.For(heard), onCompleted: null));
        using var spans = new SpanRecorder();
        Assert.True(CallObserver.Wanted(metrics, onCompleted: null));
        await client.CallAsync((c, ct) =>
        {
            during = Activity.Current;
            return Task.FromResult(0);
        });
        Assert.Same(Assert.Single(spans.Stopped), during);
    }

    [Fact]
    public async Task Call_OnAServer_RecordsServerAttributes_WithoutErrorType_AndCountsItsConnectionUsedThenIdle()
    {
        using var server = new LoopbackAcceptor();
        using var metrics = new MetricRecorder();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { ConnectTimeout = LoopbackAcceptor.ConnectTimeout, Servers = [server.Address], MeterFactory = metrics });
        CallInfo? info = null;
        IReadOnlyList<RecordedMeasurement>? duringCall = null;

        await client.CallAsync((c, ct) =>
        {
            duringCall = metrics.Observe("tunicorn.client.connection.count");
            return Task.FromResult(0);
        }, new CallOptions { OnCompleted = i => info = i });

        var duration = Assert.Single(metrics.Recorded("rpc.client.call.duration"));
        Assert.Equal("127.0.0.1", duration.Tag("server.address"));
        Assert.Equal(server.Port, duration.Tag("server.port"));
        Assert.False(duration.Tags.ContainsKey("error.type"));
        // The call wrote no message: its method is unknown.
        Assert.False(duration.Tags.ContainsKey("rpc.method"));
        Assert.NotNull(info);
        Assert.Equal(server.Port, info.Server?.Port);
        Assert.Equal(1, info.Attempts);
        Assert.Null(info.Error);
        Assert.Equal(1, Used(duringCall!));
        Assert.Equal(0, Idle(duringCall!));
        var after = metrics.Observe("tunicorn.client.connection.count");
        Assert.Equal(0, Used(after));
        Assert.Equal(1, Idle(after));

        static double Used(IEnumerable<RecordedMeasurement> m) => m.Single(x => Equals(x.Tag("tunicorn.client.connection.state"), "used")).Value;
        static double Idle(IEnumerable<RecordedMeasurement> m) => m.Single(x => Equals(x.Tag("tunicorn.client.connection.state"), "idle")).Value;
    }

    [Fact]
    public async Task OnCompleted_ThatThrows_IsLogged_AndTheCallKeepsItsResult()
    {
        using var server = new LoopbackAcceptor();
        var log = new LogRecorder();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { ConnectTimeout = LoopbackAcceptor.ConnectTimeout, Servers = [server.Address], LoggerFactory = log });

        int result = await client.CallAsync((c, ct) => Task.FromResult(42), new CallOptions { OnCompleted = _ => throw new InvalidOperationException("callback bug") });

        Assert.Equal(42, result);
        Assert.Contains(log.Lines, l => l.Contains("The OnCompleted handler threw", StringComparison.Ordinal));
    }

    [Fact]
    public void ServerEjected_CountsOneEjection_ForThatServer()
    {
        using var metrics = new MetricRecorder();
        var options = new TunicornClientOptions { Servers = ["10.0.0.7:9090"], EjectAfterFailures = 2 };
        var instance = StaticDiscovery.Parse("10.0.0.7:9090");
        using var server = new ServerState(instance, new ConnectionPool(instance, options, _ => throw new InvalidOperationException("no connection")),
            options, NullLogger.Instance, ClientMetrics.For(metrics));

        server.RecordFailure("refused");
        Assert.Empty(metrics.Recorded("tunicorn.client.ejections"));
        server.RecordFailure("refused");

        var ejection = Assert.Single(metrics.Recorded("tunicorn.client.ejections"));
        Assert.Equal(1, ejection.Value);
        Assert.Equal("{ejection}", ejection.Unit);
        Assert.Equal("10.0.0.7", ejection.Tag("server.address"));
        Assert.Equal(9090, ejection.Tag("server.port"));
    }

    [Fact]
    public async Task ServerCount_ReportsTheServersKnown_ByService_AndStopsWhenTheClientIsDisposed()
    {
        using var metrics = new MetricRecorder();
        var discovery = new ManualDiscovery();
        var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { ConnectTimeout = LoopbackAcceptor.ConnectTimeout, Discovery = discovery, MeterFactory = metrics });
        await client.StartAsync();
        discovery.Publish(new ServiceInstance("a", "10.0.0.1", 9090), new ServiceInstance("b", "10.0.0.2", 9090));

        var servers = metrics.Observe("tunicorn.client.server.count");
        Assert.Equal(2, servers.Single(m => Equals(m.Tag("tunicorn.client.server.state"), "available")).Value);
        Assert.Equal(0, servers.Single(m => Equals(m.Tag("tunicorn.client.server.state"), "ejected")).Value);
        Assert.All(servers, m => Assert.Equal("FakeThriftClient", m.Tag("tunicorn.client.service")));
        var connections = metrics.Observe("tunicorn.client.connection.count");
        Assert.Equal(4, connections.Count);
        Assert.All(connections, m => Assert.Equal(0, m.Value));
        Assert.Equal(["10.0.0.1", "10.0.0.2"], connections.Select(m => (string)m.Tag("server.address")!).Distinct().Order());

        await client.DisposeAsync();
        Assert.Empty(metrics.Observe("tunicorn.client.server.count"));
    }

    [Fact]
    public async Task ServersChanged_RaisedWithTheNewSet_NotForTheSameSetAgain_AndAThrowingHandlerIsLogged()
    {
        var log = new LogRecorder();
        var discovery = new ManualDiscovery();
        await using var client = new TunicornClient<FakeThriftClient>(new TunicornClientOptions { ConnectTimeout = LoopbackAcceptor.ConnectTimeout, Discovery = discovery, LoggerFactory = log });
        var sets = new System.Collections.Concurrent.BlockingCollection<IReadOnlyList<ServiceInstance>>();
        client.ServersChanged += _ => throw new InvalidOperationException("handler bug");
        client.ServersChanged += sets.Add;
        await client.StartAsync();

        discovery.Publish(new ServiceInstance("a", "10.0.0.1", 9090));
        Assert.True(sets.TryTake(out var first, Wait));
        Assert.Equal(["a"], first.Select(s => s.Id));

        discovery.Publish(new ServiceInstance("a", "10.0.0.1", 9090));
        discovery.Publish(new ServiceInstance("a", "10.0.0.1", 9090) { Weight = 5 });
        Assert.True(sets.TryTake(out var reweighted, Wait));
        Assert.Equal(5, Assert.Single(reweighted).Weight);

        discovery.Publish(new ServiceInstance("a", "10.0.0.1", 9090) { Weight = 5 }, new ServiceInstance("b", "10.0.0.2", 9090));
        Assert.True(sets.TryTake(out var joined, Wait));
        Assert.Equal(["a", "b"], joined.Select(s => s.Id));
        Assert.False(sets.TryTake(out _), "the unchanged set raised no event");
        Assert.Contains(log.Lines, l => l.Contains("The ServersChanged handler threw", StringComparison.Ordinal) && l.Contains("handler bug", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ThriftWireProtocol.Binary)]
    [InlineData(ThriftWireProtocol.Compact)]
    [InlineData(ThriftWireProtocol.Json)]
    public async Task MethodRecordingProtocol_RecordsTheNameOfTheMessageWritten(ThriftWireProtocol wire)
    {
        var written = new WrittenMethod();
        using var transport = new TMemoryBufferTransport(new global::Thrift.TConfiguration());
        var protocol = MethodRecordingProtocols.Create(wire, transport, written);

        await protocol.WriteMessageBeginAsync(new TMessage("add", TMessageType.Call, 1), CancellationToken.None);
        Assert.Equal("add", written.Name);
        await new TMultiplexedProtocol(protocol, "Calculator").WriteMessageBeginAsync(new TMessage("ping", TMessageType.Call, 2), CancellationToken.None);
        Assert.Equal("Calculator:ping", written.Name);

        written.Forget();
        Assert.Null(written.Name);
        Assert.True(transport.Length > 0, "the message reached the transport");
    }

    [Theory]
    [InlineData(typeof(CallTimeoutException), "timeout")]
    [InlineData(typeof(InvalidOperationException), "System.InvalidOperationException")]
    [InlineData(typeof(global::Thrift.TApplicationException), "Thrift.TApplicationException")]
    public void ErrorType_IsTimeoutForADeadline_ElseTheExceptionType(Type type, string expected)
    {
        var error = type == typeof(CallTimeoutException)
            ? new CallTimeoutException("late", null, requestSent: true)
            : (Exception)Activator.CreateInstance(type)!;

        Assert.Equal(expected, CallObserver.ErrorTypeOf(error));
    }

    [Fact]
    public void ErrorType_OfTheClientsFailures_IsTheReason_InSnakeCase()
    {
        Assert.Equal("connection_reset", CallObserver.ErrorTypeOf(new CallFailedException("x", CallFailureReason.ConnectionReset, null, requestSent: true)));
        Assert.Equal(Enum.GetValues<CallFailureReason>().Length,
            Enum.GetValues<CallFailureReason>().Select(CallObserver.ErrorTypeOf).Where(t => t != "_OTHER").Distinct().Count());
    }
}
