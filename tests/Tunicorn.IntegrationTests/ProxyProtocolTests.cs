using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Thrift;
using Thrift.Protocol;
using Thrift.Transport;
using Thrift.Transport.Client;
using Tunicorn.IntegrationTests.Conformance;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// proxy_protocol and proxy_allow_ips: a client that writes a PROXY header (v1 or v2) and then real Thrift calls over
/// a raw socket is served, and the access log names the client from the header; a missing, malformed or slow header
/// closes the connection with a logged reason; peers outside proxy_allow_ips and servers without proxy_protocol
/// behave as before; and HAProxy itself (send-proxy, send-proxy-v2) in front of a server works end to end.
/// </summary>
public sealed class ProxyProtocolTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>The peer with its port first: the tests tell clients apart by their ports (gunicorn's %(h)s has none).</summary>
    private const string PeerFirstFormat = "%(peer)s %(t)s \"%(r)s\" %(s)s %(D)sus";

    [Fact]
    public async Task Version1AndVersion2Headers_NameTheClient_InTheAccessLogAndTheLog_WithAutoDetection()
    {
        using var dir = new TestDirectory("proxy");
        string access = dir.File("access.log");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 1,
            ["--proxy-protocol", "--access-logfile", access, "--access-logformat", PeerFirstFormat, "--log-level", "debug",
             "--thrift-protocol-factory", "auto", "--thrift-transport-factory", "auto"], output);

        using (var client = await ProxiedCalculatorAsync(port, Version1("PROXY TCP4 192.0.2.10 198.51.100.1 56324 9090\r\n"), "binary", "buffered"))
            Assert.Equal(3, await client.add(1, 2));
        using (var client = await ProxiedCalculatorAsync(port, Version2Inet4([203, 0, 113, 9], 40001), "binary", "framed"))
        {
            Assert.Equal(5, await client.add(2, 3));
            Assert.Equal(7, await client.add(3, 4));
        }
        using (var client = await ProxiedCalculatorAsync(port, Version2Inet6(IPAddress.Parse("2001:db8::42"), 443, withTlvs: true), "compact", "framed"))
            Assert.Equal(9, await client.add(4, 5));
        using (var client = await ProxiedCalculatorAsync(port, Version1("PROXY UNKNOWN\r\n"), "binary", "buffered"))
            Assert.Equal(11, await client.add(5, 6));

        // A call's access line is written after its reply has left, so the next client may be answered first: the
        // lines are matched by peer, not by position.
        string[] lines = await AccessLinesAsync(access, 5);
        string[] peers = [.. lines.Select(line => line[..line.IndexOf(' ', StringComparison.Ordinal)]).Order(StringComparer.Ordinal)];
        // UNKNOWN names no client: the connection's own peer, the test's socket, stays.
        Assert.Matches(@"^127\.0\.0\.1:\d+$", peers[0]);
        Assert.Equal(["192.0.2.10:56324", "203.0.113.9:40001", "203.0.113.9:40001", "[2001:db8::42]:443"], peers[1..]);
        Assert.All(lines, line => Assert.Contains("\"add\" ok", line, StringComparison.Ordinal));

        await server.WaitForLogAsync(new Regex(@"from 127\.0\.0\.1:\d+: PROXY v1 header names the client 192\.0\.2\.10:56324"), Deadline);
        await server.WaitForLogAsync(new Regex(@"from 127\.0\.0\.1:\d+: PROXY v2 header names the client \[2001:db8::42\]:443"), Deadline);
        // Every later line of the connection carries the client's address.
        await server.WaitForLogAsync(new Regex(@"Connection \d+ from 203\.0\.113\.9:40001 speaks the Binary protocol over the Framed transport"), Deadline);
        Assert.Empty(server.WorkerExits());
    }

    [Theory]
    [InlineData("sync")]
    [InlineData("threaded")]
    public async Task Version2Header_IsReadByEveryWorkerClass(string workerClass)
    {
        using var dir = new TestDirectory("proxy");
        string access = dir.File("access.log");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 1,
            ["--proxy-protocol", "--access-logfile", access, "--access-logformat", PeerFirstFormat, "-k", workerClass, "--thrift-transport-factory", "framed"], output);

        using (var client = await ProxiedCalculatorAsync(port, Version2Inet4([198, 51, 100, 77], 1234), "binary", "framed"))
            Assert.Equal(3, await client.add(1, 2));

        Assert.StartsWith("198.51.100.77:1234 ", (await AccessLinesAsync(access, 1))[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingMalformedOrSlowHeader_ClosesTheConnection_WithAnEscapedReasonInTheLog()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 1,
            ["--proxy-protocol", "--thrift-client-timeout", "2"], output);
        var workers = server.WorkerPids();

        // A Thrift client that talks to the server directly, without a proxy.
        using (var direct = await ThriftClients.CalculatorAsync(port))
            await Assert.ThrowsAnyAsync<Exception>(() => direct.add(1, 2));
        await server.WaitForLogAsync(Refused(@"the connection starts with neither 'PROXY ' \(version 1\) nor the version 2 signature but with ""\\x80\\x01\\x00\\x01"), Deadline);

        // A header that tries to forge a log line.
        Assert.True(await SendAndSeeClosedAsync(port, "HELLO\n[CRITICAL] forged line\r\n"u8.ToArray()));
        await server.WaitForLogAsync(Refused(@"the connection starts with neither 'PROXY ' \(version 1\) nor the version 2 signature but with ""HELLO\\x0a\[CRITICAL\]…"""), Deadline);
        Assert.DoesNotContain(server.Log.Snapshot(), line => line.StartsWith("[CRITICAL] forged", StringComparison.Ordinal));

        // Malformed version 1 and version 2 headers.
        Assert.True(await SendAndSeeClosedAsync(port, Version1("PROXY TCP4 192.0.2.10 198.51.100.1 99999 9090\r\n")));
        await server.WaitForLogAsync(Refused("source port '99999', not a number from 0 to 65535"), Deadline);
        byte[] oversized = [.. Signature, 0x21, 0x11, 0xFF, 0xFF];
        Assert.True(await SendAndSeeClosedAsync(port, oversized));
        await server.WaitForLogAsync(Refused("version 2 header of 65551 bytes, over the limit of 4096"), Deadline);

        // Half a header, then nothing: closed after the handshake timeout (thrift_client_timeout here).
        int mark = server.LogMark;
        Assert.True(await SendAndSeeClosedAsync(port, "PROXY TCP4 192."u8.ToArray()));
        await server.WaitForLogAsync(Refused(@"no complete PROXY header within 2s"), Deadline, mark);

        // The worker lives on and serves a proxied client.
        using (var client = await ProxiedCalculatorAsync(port, Version1("PROXY TCP4 192.0.2.10 198.51.100.1 56324 9090\r\n"), "binary", "buffered"))
            Assert.Equal(3, await client.add(1, 2));
        Assert.Equal(workers, server.WorkerPids());
        Assert.Empty(server.WorkerExits());
    }

    [Fact]
    public async Task PeerNotInProxyAllowIps_IsServedAsItCame_AndCannotClaimAnotherAddress()
    {
        using var dir = new TestDirectory("proxy");
        string access = dir.File("access.log");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 1,
            ["--proxy-protocol", "--proxy-allow-from", "10.0.0.0/8,192.0.2.1", "--access-logfile", access, "--access-logformat", PeerFirstFormat], output);

        using (var client = await ThriftClients.CalculatorAsync(port))
            Assert.Equal(3, await client.add(1, 2));
        Assert.True(await SendAndSeeClosedAsync(port, Version1("PROXY TCP4 192.0.2.10 198.51.100.1 56324 9090\r\n")));
        await server.WaitForLogAsync(new Regex(@"Bad input on connection \d+ from 127\.0\.0\.1:\d+"), Deadline);

        Assert.Matches(@"^127\.0\.0\.1:\d+ .*""add"" ok", (await AccessLinesAsync(access, 1))[0]);
        Assert.Single(File.ReadAllLines(access));
    }

    [Fact]
    public async Task ProxyProtocolOff_ServesPlainClients_AndAHeaderIsBadInput()
    {
        using var dir = new TestDirectory("proxy");
        string access = dir.File("access.log");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 1, ["--access-logfile", access, "--access-logformat", PeerFirstFormat], output);

        using (var client = await ThriftClients.CalculatorAsync(port))
            Assert.Equal(3, await client.add(1, 2));
        Assert.True(await SendAndSeeClosedAsync(port, Version2Inet4([203, 0, 113, 9], 40001)));
        await server.WaitForLogAsync(new Regex(@"Bad input on connection \d+ from 127\.0\.0\.1:\d+"), Deadline);

        Assert.Matches(@"^127\.0\.0\.1:\d+ ", (await AccessLinesAsync(access, 1))[0]);
        Assert.DoesNotContain(server.Log.Snapshot(), line => line.Contains("PROXY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TlsListener_TakesTheHeaderBeforeTheTlsHandshake()
    {
        using var certificates = TestCertificates.Create();
        using var dir = new TestDirectory("proxy");
        string access = dir.File("access.log");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 1,
            ["--proxy-protocol", "--access-logfile", access, "--access-logformat", PeerFirstFormat, "--certfile", certificates.ServerCert, "--keyfile", certificates.ServerKey], output);

        var socket = await ConnectAsync(port);
        await socket.SendAsync(Version2Inet4([192, 0, 2, 200], 50000));
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false,
            // The test's own CA signed the certificate; the handshake is what is under test, not the name check.
            (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("localhost");
        using (var client = Calculator(tls, "binary", "buffered"))
            Assert.Equal(3, await client.add(1, 2));

        Assert.StartsWith("192.0.2.200:50000 ", (await AccessLinesAsync(access, 1))[0], StringComparison.Ordinal);
    }

    // ---- helpers ----

    private static Regex Refused(string reason) =>
        new($@"Connection \d+ from 127\.0\.0\.1:\d+ \(in proxy_allow_ips, proxy_protocol on\): (.*){reason}");

    private static ReadOnlySpan<byte> Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private static byte[] Version1(string line) => System.Text.Encoding.ASCII.GetBytes(line);

    private static byte[] Version2Inet4(byte[] source, int sourcePort) =>
        [.. Signature, 0x21, 0x11, 0x00, 12, .. source, 10, 0, 0, 1, (byte)(sourcePort >> 8), (byte)sourcePort, 0x23, 0x82];

    private static byte[] Version2Inet6(IPAddress source, int sourcePort, bool withTlvs)
    {
        // PP2_TYPE_ALPN "h2" and PP2_TYPE_AUTHORITY "example.com": skipped by the server.
        byte[] tlvs = withTlvs ? [0x01, 0x00, 0x02, (byte)'h', (byte)'2', 0x02, 0x00, 0x0B, .. "example.com"u8] : [];
        byte[] addresses = [.. source.GetAddressBytes(), .. IPAddress.Parse("2001:db8::1").GetAddressBytes(), (byte)(sourcePort >> 8), (byte)sourcePort, 0x23, 0x82];
        int length = addresses.Length + tlvs.Length;
        return [.. Signature, 0x21, 0x21, (byte)(length >> 8), (byte)length, .. addresses, .. tlvs];
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Connects, writes <paramref name="header"/> as a proxy would, then speaks Thrift on the same connection.</summary>
    private static async Task<tutorial.Calculator.Client> ProxiedCalculatorAsync(int port, byte[] header, string protocol, string transport)
    {
        var socket = await ConnectAsync(port);
        await socket.SendAsync(header);
        return Calculator(new NetworkStream(socket, ownsSocket: true) { ReadTimeout = (int)Deadline.TotalMilliseconds }, protocol, transport);
    }

    private static tutorial.Calculator.Client Calculator(Stream stream, string protocol, string transport)
    {
        TTransport endpoint = new TStreamTransport(stream, stream, new TConfiguration());
        TTransport layered = transport == "framed" ? new TFramedTransport(endpoint) : new TBufferedTransport(endpoint);
        TProtocol wire = protocol == "compact" ? new TCompactProtocol(layered) : new TBinaryProtocol(layered);
        return new tutorial.Calculator.Client(wire);
    }

    /// <summary>Writes <paramref name="bytes"/> and waits for the server to close the connection: true when it did.</summary>
    private static async Task<bool> SendAndSeeClosedAsync(int port, byte[] bytes)
    {
        using var socket = await ConnectAsync(port);
        await socket.SendAsync(bytes);
        using var timeout = new CancellationTokenSource(Deadline);
        byte[] buffer = new byte[256];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    private static async Task<string[]> AccessLinesAsync(string path, int count)
    {
        await Eventually.WaitUntilAsync(() => File.Exists(path) && File.ReadAllLines(path).Length >= count, Deadline, $"{count} access log lines in {path}");
        return File.ReadAllLines(path);
    }
}
