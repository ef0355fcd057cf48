using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Tunicorn.Config;
using Tunicorn.IO;
using Tunicorn.Thrift;

namespace Tunicorn.Tests.Thrift;

public sealed class ThriftConnectionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly ThriftApplication PingApp =
        ThriftApplication.FromFactory<PingService.Handler, PingService.AsyncProcessor>(() => new PingService.Handler());

    private static ConnectionServices Services(IConnectionReporter reporter, CancellationToken stop = default,
        TimeSpan? idleTimeout = null, ReadinessLoop? readinessLoop = null) => new()
    {
        App = PingApp,
        Options = new ThriftConnectionOptions
        {
            Protocol = ThriftProtocolKind.Binary,
            Transport = ThriftTransportKind.Buffered,
            Configuration = ThriftConnectionOptions.CreateConfiguration(),
            IdleTimeout = idleTimeout,
        },
        Reporter = reporter,
        LoggerFactory = NullLoggerFactory.Instance,
        StopBetweenCalls = stop,
        ReadinessLoop = readinessLoop,
    };

    private static async Task<bool> PeerClosedAsync(Socket client)
    {
        var buffer = new byte[1];
        return await client.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Deadline) == 0;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Serve_TwoCallsThenPeerCloses_ReportsEachCallBetweenOpenedAndClosed(bool readinessLoop)
    {
        using var pair = await SocketPair.CreateAsync();
        using var loop = readinessLoop ? new ReadinessLoop(1, 1, TimeSpan.FromMilliseconds(50), NullLogger.Instance) : null;
        var reporter = new RecordingReporter();
        Task serving = new ThriftConnection(pair.Server, Services(reporter, readinessLoop: loop)).ServeAsync();

        var buffer = new byte[PingWire.ReplyLength];
        Assert.Equal(PingService.Answer, await PingWire.CallAsync(pair.Client, PingWire.CallBytes(1), buffer, 1));
        Assert.Equal(PingService.Answer, await PingWire.CallAsync(pair.Client, PingWire.CallBytes(2), buffer, 2));
        pair.Client.Shutdown(SocketShutdown.Send);

        Assert.Equal("peer closed", await reporter.Closed.WaitAsync(Deadline));
        await serving.WaitAsync(Deadline);
        Assert.Equal(["opened", "started ping", "completed ping: ok", "started ping", "completed ping: ok", "closed"], reporter.Events);
    }

    [Fact]
    public async Task Serve_AReplyWhereACallBelongs_CompletesItAsAProtocolErrorAndReportsBadInputBeforeClosing()
    {
        using var pair = await SocketPair.CreateAsync();
        var reporter = new RecordingReporter();
        Task serving = new ThriftConnection(pair.Server, Services(reporter)).ServeAsync();

        await pair.Client.SendAsync(PingWire.ReplyMessageBytes(5));

        Assert.StartsWith("bad input: ", await reporter.Closed.WaitAsync(Deadline));
        await serving.WaitAsync(Deadline);
        Assert.Equal(["opened", "started ping", "completed ping: protocol error", "bad input: TProtocolException", "closed"], reporter.Events);
    }

    [Fact]
    public async Task Serve_StopBetweenCalls_AnswersTheCallThenClosesAtTheNextWait()
    {
        using var pair = await SocketPair.CreateAsync();
        using var stop = new CancellationTokenSource();
        var reporter = new RecordingReporter();
        Task serving = new ThriftConnection(pair.Server, Services(reporter, stop.Token)).ServeAsync();

        var buffer = new byte[PingWire.ReplyLength];
        Assert.Equal(PingService.Answer, await PingWire.CallAsync(pair.Client, PingWire.CallBytes(1), buffer, 1));
        await stop.CancelAsync();

        Assert.Equal("server stopping", await reporter.Closed.WaitAsync(Deadline));
        Assert.True(await PeerClosedAsync(pair.Client));
        await serving.WaitAsync(Deadline);
        Assert.Equal(["opened", "started ping", "completed ping: ok", "closed"], reporter.Events);
    }

    [Fact]
    public async Task Serve_NoCallWithinTheIdleTimeout_ClosesTheConnection()
    {
        using var pair = await SocketPair.CreateAsync();
        var reporter = new RecordingReporter();
        Task serving = new ThriftConnection(pair.Server, Services(reporter, idleTimeout: TimeSpan.FromMilliseconds(100))).ServeAsync();

        Assert.Equal("idle timeout", await reporter.Closed.WaitAsync(Deadline));
        Assert.True(await PeerClosedAsync(pair.Client));
        await serving.WaitAsync(Deadline);
        Assert.Equal(["opened", "closed"], reporter.Events);
    }
}
