using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>log_syslog: master and workers send their error-log lines to a real syslog socket, one RFC 3164 message each.</summary>
public sealed class SyslogTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    // <PRI>Mmm dd hh:mm:ss [HOST ]TAG[PID]: [LEVEL] message
    private const string Timestamp = @"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d";

    [Fact]
    public async Task Syslog_OverUdp_MasterAndWorkerLinesCarryFacilityPriorityTagAndPid()
    {
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int syslogPort = ((IPEndPoint)receiver.LocalEndPoint!).Port;
        using var stop = new CancellationTokenSource();
        var messages = new ConcurrentQueue<string>();
        var receiving = ReceiveAsync(receiver, messages, stop.Token);

        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, 1,
            ["--log-syslog", "--log-syslog-to", $"udp://127.0.0.1:{syslogPort}", "--log-syslog-facility", "local3",
                "--log-syslog-prefix", "svc", "--log-level", "debug"], output);
        int worker = server.WorkerPids().Single();
        using (var client = await ThriftClients.TestServiceAsync(port))
            Assert.Equal(3, await client.add(1, 2));

        // local3 is 19: info is 19*8+6 = 158, debug 159; over the network the host name follows the timestamp.
        await WaitForMessageAsync(messages, new Regex($@"^<158>{Timestamp} \S+ tunicorn\.svc\[{server.MasterPid}\]: \[INFO\] Listening at: 127\.0\.0\.1:{port} "));
        await WaitForMessageAsync(messages, new Regex($@"^<159>{Timestamp} \S+ tunicorn\.svc\[{worker}\]: \[DEBUG\] Connection \d+ from 127\.0\.0\.1:\d+ opened"));
        await stop.CancelAsync();
        await receiving;
    }

    [Fact]
    public async Task Syslog_ToAUnixDatagramSocket_UsesTheUserFacilityAndNoHostName()
    {
        using var dir = new TestDirectory("syslog");
        string path = dir.File("log.sock");
        using var receiver = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        receiver.Bind(new UnixDomainSocketEndPoint(path));
        using var stop = new CancellationTokenSource();
        var messages = new ConcurrentQueue<string>();
        var receiving = ReceiveAsync(receiver, messages, stop.Token);

        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, 1,
            ["--log-syslog", "--log-syslog-to", $"unix://{path}", "--log-level", "debug"], output);
        int worker = server.WorkerPids().Single();
        using (var client = await ThriftClients.TestServiceAsync(port))
            Assert.Equal(3, await client.add(1, 2));

        // user is 1: info 14, debug 15; to a local socket the tag follows the timestamp directly, as glibc's syslog(3) writes.
        await WaitForMessageAsync(messages, new Regex($@"^<14>{Timestamp} tunicorn\[{server.MasterPid}\]: \[INFO\] Listening at: 127\.0\.0\.1:{port} "));
        await WaitForMessageAsync(messages, new Regex($@"^<15>{Timestamp} tunicorn\[{worker}\]: \[DEBUG\] Connection \d+ from 127\.0\.0\.1:\d+ opened"));
        await stop.CancelAsync();
        await receiving;
    }

    [Fact]
    public async Task Syslog_OverTcp_SendsOneLinePerMessage()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(16);
        int syslogPort = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var stop = new CancellationTokenSource();
        var messages = new ConcurrentQueue<string>();
        var accepting = AcceptLinesAsync(listener, messages, stop.Token);

        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, 1,
            ["--log-syslog", "--log-syslog-to", $"tcp://127.0.0.1:{syslogPort}", "--log-syslog-facility", "daemon"], output);
        int worker = server.WorkerPids().Single();
        await server.StopAsync();

        // daemon is 3: info 30. The worker's last line, when it exits, comes over its own connection.
        await WaitForMessageAsync(messages, new Regex($@"^<30>{Timestamp} \S+ tunicorn\[{server.MasterPid}\]: \[INFO\] Listening at: 127\.0\.0\.1:{port} \({server.MasterPid}\)$"));
        await WaitForMessageAsync(messages, new Regex($@"^<30>{Timestamp} \S+ tunicorn\[{worker}\]: \[INFO\] Worker exiting \(pid: {worker}\)"));
        await stop.CancelAsync();
        await accepting;
    }

    [Fact]
    public async Task Syslog_SocketMissing_OneWarningFromTheMaster_AndWorkersServe_AndUsr1DoesNotRepeatIt()
    {
        using var dir = new TestDirectory("syslog");
        string missing = dir.File("no-daemon.sock");
        string errors = dir.File("error.log");
        int port = FreePort.Next();
        // capture_output too: USR1 then redoes part of the outlets, and must not report the syslog problem again.
        // One worker: until the error log is opened with O_APPEND (PLATFORM-NOTES), two workers reopening it at once
        // can overwrite each other's line.
        await using var server = TunicornServer.Start(
            [RepoPaths.TestAppDll, "-b", $"127.0.0.1:{port}", "-w", "1", "--error-logfile", errors, "--capture-output",
                "--log-syslog", "--log-syslog-to", $"unix://{missing}"], output);
        string[] Lines() => File.Exists(errors) ? File.ReadAllLines(errors) : [];
        await Eventually.WaitUntilAsync(() => Lines().Any(LogPatterns.WorkerBooted.IsMatch), Deadline, "a booted worker", server.Describe);

        using (var client = await ThriftClients.TestServiceAsync(port))
            Assert.Equal(3, await client.add(1, 2));
        Assert.True(server.Signal(UnixSignal.Usr1));
        await Eventually.WaitUntilAsync(() => Lines().Any(line => line.Contains("reopened its log files", StringComparison.Ordinal)),
            Deadline, "the worker reopened its log files", () => string.Join("\n", Lines()));

        var warning = Assert.Single(Lines(), line => line.Contains(missing, StringComparison.Ordinal));
        Assert.Contains($"[{server.MasterPid}] [WARNING]", warning, StringComparison.Ordinal);
        Assert.Contains("cannot reach", warning, StringComparison.Ordinal);
    }

    private static async Task ReceiveAsync(Socket socket, ConcurrentQueue<string> messages, CancellationToken cancellationToken)
    {
        var buffer = new byte[65536];
        try
        {
            while (true)
            {
                int length = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                messages.Enqueue(Encoding.UTF8.GetString(buffer, 0, length));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task AcceptLinesAsync(Socket listener, ConcurrentQueue<string> messages, CancellationToken cancellationToken)
    {
        var readers = new List<Task>();
        try
        {
            while (true)
            {
                var connection = await listener.AcceptAsync(cancellationToken);
                readers.Add(ReadLinesAsync(connection, messages, cancellationToken));
            }
        }
        catch (OperationCanceledException)
        {
        }
        await Task.WhenAll(readers);
    }

    private static async Task ReadLinesAsync(Socket connection, ConcurrentQueue<string> messages, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(new NetworkStream(connection, ownsSocket: true), Encoding.UTF8);
        try
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
                messages.Enqueue(line);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static Task WaitForMessageAsync(ConcurrentQueue<string> messages, Regex pattern) =>
        Eventually.WaitUntilAsync(() => messages.Any(pattern.IsMatch), Deadline, $"a syslog message matching {pattern}",
            () => string.Join("\n", messages.Take(40)));
}
