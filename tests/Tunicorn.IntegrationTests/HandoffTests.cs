using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Thrift;
using Thrift.Protocol;
using Thrift.Protocol.Entities;
using Thrift.Transport;
using Thrift.Transport.Client;
using Tunicorn.IntegrationTests.Conformance;
using Tunicorn.IntegrationTests.Harness;
using Tunicorn.TestApp;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Issue 15.1: the connections of a retiring worker (HUP, rolling HUP, TTOU, max_requests) move to a live worker between calls,
/// and a persistent client never sees a close.
/// </summary>
public sealed partial class HandoffTests(ITestOutputHelper output)
{
    private const int Workers = 3;
    private const int ClientsEach = 32;
    private const int PauseMs = 100;
    private static readonly TimeSpan StepDeadline = TimeSpan.FromSeconds(45);

    [Theory]
    [InlineData("binary", "buffered", "binary", "buffered")]
    [InlineData("binary", "framed", "binary", "framed")]
    [InlineData("compact", "buffered", "compact", "buffered")]
    // auto: the Python clients speak compact over framed, the C# ones binary over buffered, to one port.
    [InlineData("auto", "auto", "compact", "framed")]
    public async Task PersistentClients_Through5Hups3TtousAndMaxRequests_NeverSeeAClose(
        string serverProtocol, string serverTransport, string pythonProtocol, string pythonTransport)
    {
        string csharpProtocol = serverProtocol == "auto" ? "binary" : serverProtocol;
        string csharpTransport = serverTransport == "auto" ? "buffered" : serverTransport;
        using var dir = new TestDirectory("handoff");
        string stopFile = dir.File("stop");
        // The reloads after the first five are rolling: a HUP reads the strategy from the file again.
        string config = dir.File("tunicorn.toml");
        await File.WriteAllTextAsync(config, "");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, Workers,
        [
            "-c", config, "--max-requests", "500", "--max-requests-jitter", "200", "--graceful-timeout", "20",
            "--thrift-protocol-factory", serverProtocol, "--thrift-transport-factory", serverTransport,
        ], output);
        var initial = server.WorkerPids();

        await using var python = await PythonClient.StartAsync(PythonClient.LoadScript,
        [
            .. PythonClient.Tcp(port), .. PythonClient.Load(ClientsEach, durationSeconds: 280, PauseMs),
            "--protocol", pythonProtocol, "--transport", pythonTransport, "--stop-file", stopFile,
        ]);
        using var stop = new CancellationTokenSource();
        var csharp = PersistentCallers.OfTestService(port, csharpProtocol, csharpTransport, ClientsEach, PauseMs);
        Task callers = csharp.RunAsync(stop.Token);
        await python.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        await csharp.WaitForFirstCallsAsync(TimeSpan.FromSeconds(60));

        try
        {
            for (int i = 0; i < 5; i++)
                await ReloadAsync(server);
            for (int i = 0; i < 3; i++)
            {
                await SignalAndWaitAsync(server, UnixSignal.Ttin, LogPatterns.WorkerBooted);
                await SignalAndWaitAsync(server, UnixSignal.Ttou, LogPatterns.WorkerExiting);
            }
            await File.WriteAllTextAsync(config, "reload_strategy = \"rolling\"\n");
            for (int i = 0; i < 3; i++)
                await ReloadAsync(server, rolling: true);
            // The load goes on until a worker was recycled by max_requests and has exited, its connections moved.
            var recycled = await server.WaitForLogAsync(MaxRequestsRecycle(), TimeSpan.FromSeconds(120));
            int recycledPid = int.Parse(recycled.Groups["pid"].Value, CultureInfo.InvariantCulture);
            await server.WaitForLogAsync(LogPatterns.WorkerExitingPid(recycledPid), StepDeadline);
        }
        finally
        {
            await File.WriteAllTextAsync(stopFile, "");
            await stop.CancelAsync();
        }
        var load = await python.LoadResultAsync(TimeSpan.FromSeconds(60));
        await callers;
        output.WriteLine($"[test] Python clients: {load}");
        output.WriteLine($"[test] C# clients: {csharp}");
        var summaries = server.Log.Snapshot().Where(line => line.Contains("connections to other workers", StringComparison.Ordinal)).ToArray();
        foreach (string line in summaries)
            output.WriteLine($"[test] {line}");

        ServerAssert.NoFailedCalls(load, "the Python persistent clients");
        Assert.Equal(ClientsEach, load.Connects);
        Assert.True(csharp.Failures == 0, $"the C# persistent clients saw {csharp.Failures} failed calls: {csharp}");
        Assert.Equal(ClientsEach, csharp.Connections);
        Assert.True(csharp.Calls > 0, "the C# clients made no call");
        Assert.DoesNotContain(server.WorkerPids(), initial.Contains);
        Assert.True(server.BootingPids().Count >= Workers + 8 * Workers + 3, $"not every operation started workers{Environment.NewLine}{server.Log.Tail()}");
        Assert.True(summaries.Sum(Moved) > 0, $"no connection was handed over{Environment.NewLine}{server.Log.Tail()}");
        ServerAssert.EveryReadCallAnswered(server);
    }

    [Theory]
    [InlineData("sync")]
    [InlineData("threaded")]
    [InlineData("async")]
    public async Task PersistentClients_OfEachWorkerClass_ThroughAHupAndATtou_NeverSeeAClose(string workerClass)
    {
        using var dir = new TestDirectory("handoff-class");
        string stopFile = dir.File("stop");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2,
            ["-k", workerClass, "--threads", "4", "--graceful-timeout", "20"], output);
        await using var python = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Tcp(port), .. PythonClient.Load(connections: 8, durationSeconds: 200, PauseMs), "--stop-file", stopFile]);
        await python.WaitForReadyAsync(TimeSpan.FromSeconds(60));

        try
        {
            await ReloadAsync(server);
            await SignalAndWaitAsync(server, UnixSignal.Ttou, LogPatterns.WorkerExiting);
        }
        finally
        {
            await File.WriteAllTextAsync(stopFile, "");
        }
        var load = await python.LoadResultAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"[test] Python clients: {load}");

        ServerAssert.NoFailedCalls(load, "the Python persistent clients");
        Assert.Equal(8, load.Connects);
        var summaries = server.Log.Snapshot().Where(line => line.Contains("connections to other workers", StringComparison.Ordinal)).ToArray();
        Assert.True(summaries.Sum(Moved) > 0, $"no connection was handed over{Environment.NewLine}{server.Log.Tail()}");
        ServerAssert.EveryReadCallAnswered(server);
    }

    [Fact]
    public async Task WithHandoffFalse_AReload_ClosesThePersistentConnectionsBetweenCalls_AsBefore()
    {
        using var dir = new TestDirectory("handoff-off");
        string config = dir.File("tunicorn.toml");
        await File.WriteAllTextAsync(config, "handoff = false\n");
        string stopFile = dir.File("stop");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2, ["-c", config, "--graceful-timeout", "20"], output);
        await using var python = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Tcp(port), .. PythonClient.Load(connections: 4, durationSeconds: 200, PauseMs), "--stop-file", stopFile,
             "--calls-after-stop", "1"]);
        await python.WaitForReadyAsync(TimeSpan.FromSeconds(60));

        try
        {
            await ReloadAsync(server);
        }
        finally
        {
            await File.WriteAllTextAsync(stopFile, "");
        }
        var load = await python.LoadResultAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"[test] Python clients: {load}");

        // Without hand-off a client without retries notices: a failed call. The old workers are gone when the stop file
        // is written, and each connection makes one more call after it, so a connection that had not called since its
        // worker closed it fails then (a fast reload can end within one pause between calls).
        Assert.True(load.Failures > 0, $"the reload closed no connection: {load}");
        Assert.DoesNotContain(server.Log.Snapshot(), line => line.Contains("connections to other workers", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NonIdempotentCalls_ThroughReloadsAndATtou_RunExactlyOnceEach()
    {
        using var dir = new TestDirectory("handoff-once");
        string echoLog = dir.File("echo.log");
        string config = dir.File("tunicorn.toml");
        await File.WriteAllTextAsync(config, "");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2, ["-c", config, "--graceful-timeout", "20"],
            output, new Dictionary<string, string?> { [TestServiceHandler.EchoLogVariable] = echoLog });

        // Each call carries a name of its own, and the handler writes it down each time it runs: a call the hand-off ran
        // twice (or ran without answering) shows in the file.
        const int Clients = 8;
        var answered = new ConcurrentBag<string>();
        int failures = 0;
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            using var client = await ThriftClients.TestServiceAsync(port);
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                string name = $"c{c}-{i}";
                try
                {
                    Assert.Equal(name, await client.echo(name));
                    answered.Add(name);
                }
                catch (Exception e) when (e is TTransportException or IOException)
                {
                    Interlocked.Increment(ref failures);
                    return;
                }
            }
        })).ToArray();
        await Eventually.WaitUntilAsync(() => answered.Count >= Clients * 20, StepDeadline, "every client to call", server.Describe);

        try
        {
            await EachRetiringOperationOnceAsync(server, config);
        }
        finally
        {
            await stop.CancelAsync();
        }
        await Task.WhenAll(clients);

        var ran = (await File.ReadAllLinesAsync(echoLog)).Select(line => line["echo ".Length..]).ToList();
        output.WriteLine($"[test] {answered.Count} calls answered, {ran.Count} run by the handler, {failures} failed");
        Assert.Equal(0, failures);
        var twice = ran.GroupBy(name => name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, $"calls run more than once: {string.Join(", ", twice.Take(10))}");
        Assert.Equal(answered.Order(StringComparer.Ordinal), ran.Order(StringComparer.Ordinal));
        var summaries = server.Log.Snapshot().Where(line => line.Contains("connections to other workers", StringComparison.Ordinal)).ToArray();
        Assert.True(summaries.Sum(Moved) > 0, $"no connection was handed over{Environment.NewLine}{server.Log.Tail()}");
    }

    [Fact]
    public async Task RequestSplitInTwoWrites_WithAReloadBetweenTheHalves_IsAnsweredOnce()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1, ["--graceful-timeout", "20"], output);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 20_000 };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        int firstPid = await CallPidAsync(socket, seqId: 1);
        Assert.Contains(firstPid, server.WorkerPids());

        byte[] call = await EncodeAddAsync(seqId: 2, a: 40, b: 2);
        int half = call.Length / 2;
        await socket.SendAsync(call.AsMemory(0, half));
        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Hup));
        await server.WaitForLogAsync(ReloadComplete(), StepDeadline, mark);
        await socket.SendAsync(call.AsMemory(half));

        var (seqId, sum) = await ReadAddReplyAsync(socket);
        Assert.Equal((2, 42), (seqId, sum));
        // Answered once: nothing else arrives for it, and the connection goes on with the new worker.
        Assert.False(socket.Poll(TimeSpan.FromMilliseconds(300), SelectMode.SelectRead), "more bytes arrived after the one reply");
        int secondPid = await CallPidAsync(socket, seqId: 3);
        Assert.NotEqual(firstPid, secondPid);
        await Eventually.WaitUntilAsync(() => server.WorkerExits().Any(e => e.Pid == firstPid), StepDeadline,
            $"the old worker {firstPid} exits", server.Describe);
        ServerAssert.EveryReadCallAnswered(server);
    }

    [Fact]
    public async Task TlsConnection_DuringAReload_IsServedByTheOldWorkerUntilGracefulTimeout_ThenClosed_AndCountedNotMoved()
    {
        using var certificates = TestCertificates.Create();
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1,
            ["--graceful-timeout", "4", "--certfile", certificates.ServerCert, "--keyfile", certificates.ServerKey], output);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        // The test's own CA signed the certificate; the hand-off is under test, not the name check.
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("localhost");
        using var client = new testapp.TestService.Client(new TBinaryProtocol(new TBufferedTransport(new TStreamTransport(tls, tls, new TConfiguration()))));
        int oldPid = await client.pid();

        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Hup));
        await server.WaitForLogAsync(ReloadComplete(), StepDeadline, mark);
        var answeredAfterReload = new List<int>();
        Exception? closed = null;
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (closed is null && !deadline.IsCancellationRequested)
            {
                try
                {
                    answeredAfterReload.Add(await client.pid(deadline.Token));
                    await Task.Delay(100, deadline.Token); // paces the calls; nothing is asserted on it
                }
                catch (Exception e) when (!deadline.IsCancellationRequested)
                {
                    closed = e;
                }
            }
        }

        output.WriteLine($"[test] answered after the reload: {answeredAfterReload.Count} calls; then {closed?.GetType().Name}: {closed?.Message}");
        Assert.NotNull(closed);
        Assert.NotEmpty(answeredAfterReload);
        Assert.All(answeredAfterReload, pid => Assert.Equal(oldPid, pid));
        await server.WaitForLogAsync(new Regex($@"Worker \(pid: {oldPid}\) handed 0 connections to other workers; not moved: 1 \(TLS: 1\)"), StepDeadline, mark);
        ServerAssert.EveryReadCallAnswered(server);
    }

    [Fact]
    public async Task NativeAotEmbeddedProgram_OnHupAndTtou_HandsItsConnectionsOver()
    {
        string program = RepoPaths.NativeAotCalculator;
        Assert.True(File.Exists(program),
            $"{program} is missing: scripts/test.sh publishes it (dotnet publish examples/Calculator.Embedded -c Release -r linux-x64)");
        using var dir = new TestDirectory("handoff-aot");
        string config = dir.File("tunicorn.toml");
        await File.WriteAllTextAsync(config, "");
        int port = FreePort.Next();
        await using var server = TunicornServer.StartExecutable(program, ["-c", config, "-b", $"127.0.0.1:{port}", "-w", "2", "--graceful-timeout", "20"], output);
        var initial = await server.WaitForReadyAsync(2);
        using var stop = new CancellationTokenSource();
        var callers = PersistentCallers.OfCalculator(port, count: 8, PauseMs);
        Task calling = callers.RunAsync(stop.Token);
        await callers.WaitForFirstCallsAsync(TimeSpan.FromSeconds(30));

        try
        {
            await EachRetiringOperationOnceAsync(server, config);
        }
        finally
        {
            await stop.CancelAsync();
        }
        await calling;
        output.WriteLine($"[test] C# clients: {callers}");

        Assert.True(callers.Failures == 0, $"the persistent clients saw {callers.Failures} failed calls: {callers}");
        Assert.Equal(8, callers.Connections);
        Assert.DoesNotContain(server.WorkerPids(), initial.Contains);
        var summaries = server.Log.Snapshot().Where(line => line.Contains("connections to other workers", StringComparison.Ordinal)).ToArray();
        Assert.True(summaries.Sum(Moved) > 0, $"no connection was handed over{Environment.NewLine}{server.Log.Tail()}");
    }

    /// <summary>A generation reload, a TTIN then a TTOU, and a rolling reload (the config file is switched to it).</summary>
    private async Task EachRetiringOperationOnceAsync(TunicornServer server, string config)
    {
        await ReloadAsync(server);
        await SignalAndWaitAsync(server, UnixSignal.Ttin, LogPatterns.WorkerBooted);
        await SignalAndWaitAsync(server, UnixSignal.Ttou, LogPatterns.WorkerExiting);
        await File.WriteAllTextAsync(config, "reload_strategy = \"rolling\"\n");
        await ReloadAsync(server, rolling: true);
    }

    private async Task ReloadAsync(TunicornServer server, bool rolling = false)
    {
        var before = server.WorkerPids();
        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Hup));
        await server.WaitForLogAsync(ReloadComplete(), StepDeadline, mark);
        if (rolling)
            Assert.NotEmpty(server.Log.Matches(RollingStep(), mark));
        await Eventually.WaitUntilAsync(() => !server.WorkerPids().Intersect(before).Any(), StepDeadline,
            $"the workers before the reload ({string.Join(", ", before)}) are gone", server.Describe);
        output.WriteLine($"[test] reload done: {string.Join(", ", before)} -> {string.Join(", ", server.WorkerPids())}");
    }

    private static async Task SignalAndWaitAsync(TunicornServer server, UnixSignal signal, Regex then)
    {
        int mark = server.LogMark;
        Assert.True(server.Signal(signal));
        await server.WaitForLogAsync(then, StepDeadline, mark);
    }

    private static int Moved(string summary) =>
        int.Parse(HandedCount().Match(summary).Groups["moved"].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"handed (?<moved>\d+) connections to other workers")]
    private static partial Regex HandedCount();

    [GeneratedRegex(@"Autorestarting worker \(pid: (?<pid>\d+)\) after \d+ calls \(max_requests\)")]
    private static partial Regex MaxRequestsRecycle();

    [GeneratedRegex(@"Rolling reload \(generation \d+\): \d+ of \d+ new workers accept; old worker \d+ retires gracefully")]
    private static partial Regex RollingStep();

    [GeneratedRegex(@"Reload complete \(generation \d+\)")]
    private static partial Regex ReloadComplete();

    private static async Task<byte[]> EncodeAddAsync(int seqId, int a, int b)
    {
        using var buffer = new TMemoryBufferTransport(new TConfiguration());
        using var protocol = new TBinaryProtocol(buffer);
        await protocol.WriteMessageBeginAsync(new TMessage("add", TMessageType.Call, seqId), default);
        await new testapp.TestService.InternalStructs.add_args { A = a, B = b }.WriteAsync(protocol, default);
        await protocol.WriteMessageEndAsync(default);
        return buffer.GetBuffer();
    }

    private static async Task<(int SeqId, int Sum)> ReadAddReplyAsync(Socket socket)
    {
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var transport = new TStreamTransport(stream, null, new TConfiguration());
        using var protocol = new TBinaryProtocol(transport);
        var header = await protocol.ReadMessageBeginAsync(default);
        var result = new testapp.TestService.InternalStructs.add_result();
        await result.ReadAsync(protocol, default);
        await protocol.ReadMessageEndAsync(default);
        return (header.SeqID, result.Success);
    }

    private static async Task<int> CallPidAsync(Socket socket, int seqId)
    {
        using var buffer = new TMemoryBufferTransport(new TConfiguration());
        using (var writer = new TBinaryProtocol(buffer))
        {
            await writer.WriteMessageBeginAsync(new TMessage("pid", TMessageType.Call, seqId), default);
            await new testapp.TestService.InternalStructs.pid_args().WriteAsync(writer, default);
            await writer.WriteMessageEndAsync(default);
        }
        await socket.SendAsync(buffer.GetBuffer());
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var transport = new TStreamTransport(stream, null, new TConfiguration());
        using var protocol = new TBinaryProtocol(transport);
        var header = await protocol.ReadMessageBeginAsync(default);
        Assert.Equal(seqId, header.SeqID);
        var result = new testapp.TestService.InternalStructs.pid_result();
        await result.ReadAsync(protocol, default);
        await protocol.ReadMessageEndAsync(default);
        return result.Success;
    }

    /// <summary>C# clients (Apache Thrift netstd) that each open ONE connection and call on it until told to stop; a failure ends that client.</summary>
    private sealed class PersistentCallers(Func<Task<TBaseClient>> connect, Func<TBaseClient, int, Task<int>> add, int count, int pauseMs)
    {
        public static PersistentCallers OfTestService(int port, string protocol, string transport, int count, int pauseMs) =>
            new(async () => await ThriftClients.TestServiceAsync(port, protocol: protocol, transport: transport),
                (client, i) => ((testapp.TestService.Client)client).add(i, 1), count, pauseMs);

        public static PersistentCallers OfCalculator(int port, int count, int pauseMs) =>
            new(async () => await ThriftClients.CalculatorAsync(port), (client, i) => ((tutorial.Calculator.Client)client).add(i, 1), count, pauseMs);

        private readonly TaskCompletionSource _firstCalls = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _calls;
        private int _failures;
        private int _connections;
        private int _started;
        private string? _firstError;

        public long Calls => Interlocked.Read(ref _calls);
        public int Failures => Volatile.Read(ref _failures);
        public int Connections => Volatile.Read(ref _connections);

        public Task RunAsync(CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, count).Select(_ => CallLoopAsync(stop)));

        public Task WaitForFirstCallsAsync(TimeSpan timeout) => _firstCalls.Task.WaitAsync(timeout);

        private async Task CallLoopAsync(CancellationToken stop)
        {
            TBaseClient client;
            try
            {
                client = await connect();
                Interlocked.Increment(ref _connections);
            }
            catch (Exception e)
            {
                Fail(e);
                return;
            }
            using ((IDisposable)client)
            {
                for (int i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        int sum = await add(client, i);
                        if (sum != i + 1)
                            throw new InvalidOperationException($"add({i}, 1) returned {sum}");
                    }
                    catch (Exception e)
                    {
                        Fail(e);
                        return;
                    }
                    Interlocked.Increment(ref _calls);
                    if (i == 0 && Interlocked.Increment(ref _started) == count)
                        _firstCalls.TrySetResult();
                    try
                    {
                        await Task.Delay(pauseMs, stop);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        }

        private void Fail(Exception e)
        {
            Interlocked.Increment(ref _failures);
            Interlocked.CompareExchange(ref _firstError, $"{e.GetType().Name}: {e.Message}", null);
            _firstCalls.TrySetException(e);
        }

        public override string ToString() => $"calls={Calls} failures={Failures} connections={Connections} first error={_firstError ?? "none"}";
    }
}
