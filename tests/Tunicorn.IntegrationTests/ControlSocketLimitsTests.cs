using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Issue 14 item 1, the control socket's limits: nothing a client sends (or does not send) stops or slows the master. The
/// clients here are raw sockets written in the test, to send what <c>tunicorn ctl</c> never would.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ControlSocketLimitsTests(ITestOutputHelper output)
{
    // The server's limits as docs/control.md states them (ControlServer is internal to Tunicorn).
    private const int MaxRequestBytes = 4096;
    private const int MaxClients = 16;
    private const string ReadTimeoutText = "5s";

    private static readonly TimeSpan ReplyDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LogDeadline = TimeSpan.FromSeconds(10);

    private static Dictionary<string, string?> RuntimeFolder(TestDirectory dir) => new() { ["XDG_RUNTIME_DIR"] = dir.Path };

    private static async Task<string> SocketOfAsync(TunicornServer server, TestDirectory runtime)
    {
        string path = Path.Combine(runtime.Path, $"tunicorn.{server.MasterPid}.ctl");
        await Eventually.WaitUntilAsync(() => File.Exists(path), TimeSpan.FromSeconds(10), $"{path} exists", server.Describe);
        return path;
    }

    private static async Task<Socket> ConnectAsync(string path)
    {
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var deadline = new CancellationTokenSource(ReplyDeadline);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(path), deadline.Token);
        return client;
    }

    /// <summary>
    /// Reads the server's reply up to the end of the stream. A reset after the reply counts as its end: the kernel resets a
    /// connection closed with bytes of ours unread (an oversized request), after the reply it queued for us.
    /// </summary>
    private static async Task<JsonElement> ReplyOfAsync(Socket client, string what)
    {
        var received = new MemoryStream();
        byte[] buffer = new byte[16384];
        using var deadline = new CancellationTokenSource(ReplyDeadline);
        try
        {
            int n;
            while ((n = await client.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
                received.Write(buffer, 0, n);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset && received.Length > 0)
        {
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no reply to {what} within {ReplyDeadline.TotalSeconds}s (received: '{Encoding.UTF8.GetString(received.ToArray())}')");
        }
        string text = Encoding.UTF8.GetString(received.ToArray());
        Assert.EndsWith("\n", text);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    private static string ErrorOf(JsonElement reply)
    {
        Assert.False(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        return reply.GetProperty("error").GetString()!;
    }

    private static Regex InvalidRequestLine(string reason) =>
        new($@"\[WARNING\] .*Control socket: invalid request from pid {Environment.ProcessId}: {Regex.Escape(reason)}");

    /// <summary>The master answers its control socket and its worker serves a call.</summary>
    private static async Task AssertServingAsync(TunicornServer server, string socket, testapp.TestService.Client thrift)
    {
        var status = await ControlCli.AskAsync(socket, """{"command":"status"}""");
        Assert.True(status.GetProperty("ok").GetBoolean(), status.ToString());
        Assert.Equal(server.MasterPid, status.GetProperty("status").GetProperty("pid").GetInt32());
        Assert.Equal(5, await thrift.add(2, 3));
    }

    [Fact]
    public async Task OversizedInvalidAndUnknownRequests_AndAClientThatNeverReads_AreAnswered_WhileTheMasterServesOn()
    {
        using var runtime = new TestDirectory("ctl-rt");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1, null, output, RuntimeFolder(runtime));
        string socket = await SocketOfAsync(server, runtime);
        using var thrift = await ThriftClients.TestServiceAsync(port);

        // A line longer than the limit, with no newline: refused once the limit is read, while the client still holds the
        // connection and the master serves on meanwhile.
        int mark = server.LogMark;
        using (var oversized = await ConnectAsync(socket))
        {
            await oversized.SendAsync(Encoding.ASCII.GetBytes(new string('x', MaxRequestBytes + 1000)), SocketFlags.None);
            await server.WaitForLogAsync(InvalidRequestLine($"longer than {MaxRequestBytes} bytes"), LogDeadline, mark);
            await AssertServingAsync(server, socket, thrift);
            Assert.Equal($"request longer than {MaxRequestBytes} bytes", ErrorOf(await ReplyOfAsync(oversized, "the oversized request")));
        }

        // Not JSON, and JSON naming no known verb: an error reply that says why, and the same reason logged.
        (string Line, string Reason)[] invalid =
        [
            ("{not json", "not a JSON request object: "),
            ("""{"command":"explode"}""", "unknown command 'explode' (known: "),
            ("""{"command":"add","count":100000}""", "add: \"count\" must be 1 to "),
        ];
        foreach (var (line, reason) in invalid)
        {
            mark = server.LogMark;
            using var client = await ConnectAsync(socket);
            await client.SendAsync(Encoding.UTF8.GetBytes(line + "\n"), SocketFlags.None);
            Assert.StartsWith(reason, ErrorOf(await ReplyOfAsync(client, line)));
            await server.WaitForLogAsync(InvalidRequestLine(reason), LogDeadline, mark);
            await AssertServingAsync(server, socket, thrift);
        }
        Assert.Single(server.WorkerPids()); // the refused "add" added nobody

        // A client that asks and never reads its reply: the master answers others (tunicorn ctl itself) meanwhile, and
        // its reply waits for it in the socket.
        using (var deaf = await ConnectAsync(socket))
        {
            await deaf.SendAsync(Encoding.UTF8.GetBytes("""{"command":"workers"}""" + "\n"), SocketFlags.None);
            for (int i = 0; i < 3; i++)
            {
                var status = await ControlCli.JsonAsync(socket, "status");
                Assert.Equal(server.MasterPid, status.GetProperty("status").GetProperty("pid").GetInt32());
                Assert.Equal(5, await thrift.add(2, 3));
            }
            var late = await ReplyOfAsync(deaf, "the request never read");
            Assert.True(late.GetProperty("ok").GetBoolean(), late.ToString());
            Assert.Equal(server.WorkerPids().Order(), late.GetProperty("workers").EnumerateArray().Select(w => w.GetProperty("pid").GetInt32()).Order());
        }
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task IdleClientsBeyondTheCap_AreToldBusyOrDroppedAfterTheReadTimeout_WhileCtlGetsAnAnswer_AndTtinAddsAWorker()
    {
        using var runtime = new TestDirectory("ctl-rt");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1, null, output, RuntimeFolder(runtime));
        string socket = await SocketOfAsync(server, runtime);

        const int IdleClients = MaxClients + 2;
        int mark = server.LogMark;
        var idle = new List<Socket>();
        try
        {
            // Clients that connect and send nothing, more than the cap: the ones past it are told the server is busy.
            for (int i = 0; i < IdleClients; i++)
                idle.Add(await ConnectAsync(socket));
            await server.WaitForLogAsync(new($@"\[WARNING\] .*Control socket: more than {MaxClients} clients at once; the newest was told the server is busy"),
                LogDeadline, mark);

            // While they hang, tunicorn ctl gets an answer each time, not a hang: busy while the idle clients hold every
            // place, the status once they are dropped. A reset or a lost reply would exit 3.
            for (int i = 0; i < 3; i++)
            {
                var (code, stdout, stderr) = await ControlCli.RunAsync(["-s", socket, "status"]);
                output.WriteLine($"[test] ctl status while idle clients hang: exit {code}: {stdout}{stderr}");
                if (code != 0)
                {
                    Assert.Equal(1, code);
                    Assert.Contains($"tunicorn ctl: error: server busy: {MaxClients} control clients are already connected", stderr);
                }
            }

            // The arbiter's loop is not held either: TTIN adds a worker.
            Assert.True(server.Signal(UnixSignal.Ttin));
            await server.WaitForWorkerCountAsync(2, TunicornServer.BootTimeout);

            // Each idle client gets a reply that says why: busy, or no request line within the read timeout (logged).
            int timedOut = 0;
            foreach (var client in idle)
            {
                string error = ErrorOf(await ReplyOfAsync(client, "an idle client"));
                if (error == $"no request line within {ReadTimeoutText}")
                    timedOut++;
                else
                    Assert.Equal($"server busy: {MaxClients} control clients are already connected", error);
            }
            Assert.InRange(timedOut, MaxClients, IdleClients - 1);
            await Eventually.WaitUntilAsync(() => server.Log.Matches(InvalidRequestLine($"no request line within {ReadTimeoutText}"), mark).Count == timedOut,
                LogDeadline, $"{timedOut} idle clients logged as dropped", server.Describe);
        }
        finally
        {
            foreach (var client in idle)
                client.Dispose();
        }

        // Their places are free again.
        var status = await ControlCli.JsonAsync(socket, "status");
        Assert.Equal(2, status.GetProperty("status").GetProperty("workers").GetInt32());
    }
}
