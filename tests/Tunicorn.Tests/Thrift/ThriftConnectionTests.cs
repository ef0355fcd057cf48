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
        TimeSpan? idleTimeout = null, ReadinessLoop? readinessLoop = null) => Services(reporter, stop, idleTimeout, readinessLoop, gate: null);

    private static ConnectionServices Services(IConnectionReporter reporter, CancellationToken stop, TimeSpan? idleTimeout,
        ReadinessLoop? readinessLoop, CallGate? gate, CancellationToken abort = default, ThriftApplication? app = null) => new()
    {
        App = app ?? PingApp,
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
        Abort = abort,
        ReadinessLoop = readinessLoop,
        CallGate = gate,
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
    public async Task Serve_WithACallGate_ACallWaitsForItsTurnBeforeItIsRead_AndLeavesTheTurnOnceAnswered()
    {
        using var pair = await SocketPair.CreateAsync();
        using var loop = new ReadinessLoop(1, 1, TimeSpan.FromMilliseconds(50), NullLogger.Instance);
        using var gate = new CallGate(1, "test call");
        var reporter = new RecordingReporter();
        Task serving = new ThriftConnection(pair.Server, Services(reporter, default, null, loop, gate)).ServeAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task holding = HoldTurnAsync(gate, release.Task);
        await WaitUntilAsync(() => gate.Active == 1);

        var buffer = new byte[PingWire.ReplyLength];
        Task<int> calling = PingWire.CallAsync(pair.Client, PingWire.CallBytes(1), buffer, 1);
        await WaitUntilAsync(() => gate.Waiting == 1);
        Assert.False(calling.IsCompleted);
        Assert.Equal(["opened"], reporter.Events);

        release.SetResult();
        Assert.Equal(PingService.Answer, await calling.WaitAsync(Deadline));
        await holding.WaitAsync(Deadline);
        await WaitUntilAsync(() => gate.Active == 0);
        pair.Client.Shutdown(SocketShutdown.Send);
        Assert.Equal("peer closed", await reporter.Closed.WaitAsync(Deadline));
        await serving.WaitAsync(Deadline);
        Assert.Equal(["opened", "started ping", "completed ping: ok", "closed"], reporter.Events);
    }

    [Fact]
    public async Task Serve_AbortWhileWaitingForItsTurn_ClosesWithoutStartingTheCall()
    {
        using var pair = await SocketPair.CreateAsync();
        using var loop = new ReadinessLoop(1, 1, TimeSpan.FromMilliseconds(50), NullLogger.Instance);
        using var gate = new CallGate(1, "test call");
        using var abort = new CancellationTokenSource();
        abort.Token.Register(gate.ReleaseAll);
        var reporter = new RecordingReporter();
        Task serving = new ThriftConnection(pair.Server, Services(reporter, default, null, loop, gate, abort.Token)).ServeAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task holding = HoldTurnAsync(gate, release.Task);
        await WaitUntilAsync(() => gate.Active == 1);

        await pair.Client.SendAsync(PingWire.CallBytes(1));
        await WaitUntilAsync(() => gate.Waiting == 1);
        await abort.CancelAsync();

        Assert.Equal("aborted", await reporter.Closed.WaitAsync(Deadline));
        await serving.WaitAsync(Deadline);
        Assert.Equal(["opened", "closed"], reporter.Events);
        release.SetResult();
        await holding.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Serve_WithACallGate_ACallThatWaitedForItsTurn_RunsItsHandlerOnACallThread()
    {
        using var pair = await SocketPair.CreateAsync();
        using var loop = new ReadinessLoop(1, 1, TimeSpan.FromMilliseconds(50), NullLogger.Instance);
        using var gate = new CallGate(1, "test call");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task holding = HoldTurnAsync(gate, release.Task);
        await WaitUntilAsync(() => gate.Active == 1);
        var handler = new ThreadRecordingHandler();
        var app = ThriftApplication.FromFactory<ThreadRecordingHandler, PingService.AsyncProcessor>(() => handler);
        var reporter = new RecordingReporter();
        Task serving = new ThriftConnection(pair.Server, Services(reporter, default, null, loop, gate, app: app)).ServeAsync();

        await pair.Client.SendAsync(PingWire.CallBytes(1));
        await WaitUntilAsync(() => gate.Waiting == 1);
        release.SetResult();
        var buffer = new byte[PingWire.ReplyLength];
        int read = 0;
        while (read < buffer.Length)
            read += await pair.Client.ReceiveAsync(buffer.AsMemory(read)).AsTask().WaitAsync(Deadline);

        Assert.Equal(PingService.Answer, PingWire.ParseReply(buffer, 1));
        // The readiness loop saw the bytes; the turn passed to the call on a call thread, where the handler ran.
        Assert.Equal("test call 1", handler.ThreadName);
        pair.Client.Shutdown(SocketShutdown.Send);
        await serving.WaitAsync(Deadline);
        await holding.WaitAsync(Deadline);
    }

    public sealed class ThreadRecordingHandler : PingService.IAsync
    {
        public string? ThreadName { get; private set; }

        public Task<int> PingAsync(CancellationToken cancellationToken)
        {
            ThreadName = Thread.CurrentThread.Name;
            return Task.FromResult(PingService.Answer);
        }
    }

    /// <summary>Takes the gate's turn, as another connection's call would, until <paramref name="release"/>.</summary>
    private static Task HoldTurnAsync(CallGate gate, Task release) => Task.Run(async () =>
    {
        await gate.EnterAsync(new CallGate.Waiter());
        await release;
        gate.Leave();
    });

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Deadline)
                throw new TimeoutException("the condition was not met in time");
            await Task.Delay(5);
        }
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
