using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Thrift;
using Thrift.Protocol;
using Thrift.Transport;
using Thrift.Transport.Client;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// The real thing: Debian's HAProxy (scripts/install-deps.sh installs it) on loopback in front of a server with
/// proxy_protocol on, one frontend per version (send-proxy, send-proxy-v2 with a CRC32C TLV). Both the client and
/// HAProxy connect from 127.0.0.1, so the ports tell them apart: the access log must show the client's own port,
/// not the port HAProxy connected from.
/// </summary>
public sealed class ProxyProtocolHaproxyTests(ITestOutputHelper output)
{
    private const string Haproxy = "/usr/sbin/haproxy";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>The peer with its port first: the tests tell clients apart by their ports (gunicorn's %(h)s has none).</summary>
    private const string PeerFirstFormat = "%(peer)s %(t)s \"%(r)s\" %(s)s %(D)sus";

    [Fact]
    public async Task ThroughHaproxy_SendProxyAndSendProxyV2_TheAccessLogNamesTheClientsOwnPort()
    {
        Assert.True(File.Exists(Haproxy), $"{Haproxy} is missing: scripts/install-deps.sh installs Debian's haproxy");
        using var dir = new TestDirectory("haproxy");
        string access = dir.File("access.log");
        int serverPort = FreePort.Next();
        int version1Port = FreePort.Next();
        int version2Port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, serverPort, workers: 1,
            ["--proxy-protocol", "--access-logfile", access, "--access-logformat", PeerFirstFormat, "--thrift-transport-factory", "auto", "--log-level", "debug"], output);

        string config = dir.File("haproxy.cfg");
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture, $"""
            global
                maxconn 100
            defaults
                mode tcp
                timeout connect 5s
                timeout client 30s
                timeout server 30s
            frontend proxy_v1
                bind 127.0.0.1:{version1Port}
                default_backend tunicorn_v1
            backend tunicorn_v1
                server tunicorn 127.0.0.1:{serverPort} send-proxy
            frontend proxy_v2
                bind 127.0.0.1:{version2Port}
                default_backend tunicorn_v2
            backend tunicorn_v2
                server tunicorn 127.0.0.1:{serverPort} send-proxy-v2 proxy-v2-options crc32c

            """));
        // -db: stay in the foreground, so that the pid started is HAProxy's, and it is stopped by that pid.
        await using var haproxy = ManagedProcess.Start(Haproxy, ["-db", "-f", config]);
        try
        {
            await Eventually.WaitUntilAsync(async () => haproxy.HasExited || await AcceptsAsync(version1Port) && await AcceptsAsync(version2Port),
                Deadline, "HAProxy listening on both frontends", haproxy.DescribeOutput);
            Assert.False(haproxy.HasExited, haproxy.DescribeOutput());
            int mark = File.Exists(access) ? File.ReadAllLines(access).Length : 0;

            int clientPort1 = await CallThroughAsync(version1Port, "buffered", 1, 2);
            int clientPort2 = await CallThroughAsync(version2Port, "framed", 3, 4);

            await Eventually.WaitUntilAsync(() => File.Exists(access) && File.ReadAllLines(access).Length >= mark + 2, Deadline, "two access log lines");
            string[] lines = File.ReadAllLines(access)[mark..];
            Assert.Contains(lines, line => line.StartsWith($"127.0.0.1:{clientPort1} ", StringComparison.Ordinal) && line.Contains("\"add\" ok", StringComparison.Ordinal));
            Assert.Contains(lines, line => line.StartsWith($"127.0.0.1:{clientPort2} ", StringComparison.Ordinal) && line.Contains("\"add\" ok", StringComparison.Ordinal));
            Assert.Contains(server.Log.Snapshot(), line => line.Contains($"PROXY v1 header names the client 127.0.0.1:{clientPort1}", StringComparison.Ordinal));
            Assert.Contains(server.Log.Snapshot(), line => line.Contains($"PROXY v2 header names the client 127.0.0.1:{clientPort2}", StringComparison.Ordinal));
        }
        finally
        {
            haproxy.Signal(UnixSignal.Term);
            output.WriteLine($"[harness] haproxy: {haproxy.DescribeOutput()}");
        }
    }

    /// <summary>One add call through HAProxy; returns the local port the client connected from.</summary>
    private static async Task<int> CallThroughAsync(int proxyPort, string transport, int a, int b)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, proxyPort));
        int localPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
        var stream = new NetworkStream(socket, ownsSocket: true) { ReadTimeout = (int)Deadline.TotalMilliseconds };
        TTransport endpoint = new TStreamTransport(stream, stream, new TConfiguration());
        TTransport layered = transport == "framed" ? new TFramedTransport(endpoint) : new TBufferedTransport(endpoint);
        using var client = new tutorial.Calculator.Client(new TBinaryProtocol(layered));
        Assert.Equal(a + b, await client.add(a, b));
        return localPort;
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
