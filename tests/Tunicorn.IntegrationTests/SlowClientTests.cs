using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Thrift;
using Thrift.Protocol;
using Thrift.Transport;
using Thrift.Transport.Client;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Issue 11.7 (slowloris): a client that sends a call a byte at a time, each byte within the per-read limit, is closed
/// at thrift_message_timeout counted from the call's first byte, with a log line saying why, while other clients are
/// served; for every protocol and transport, and for the sync class, where one such client would hold the worker.
/// </summary>
public sealed class SlowClientTests(ITestOutputHelper output)
{
    private const double MessageTimeoutSeconds = 2;
    /// <summary>Between two bytes of the slow client: well inside the per-read limit, so only the message deadline can end it.</summary>
    private static readonly TimeSpan ByteInterval = TimeSpan.FromMilliseconds(700);

    private static readonly Regex MessageTimedOut = new(
        @"Connection \d+ from (?<peer>\S+) stalled .*: the call was not sent whole within 2s of its first byte \(thrift_message_timeout\); closing it",
        RegexOptions.CultureInvariant);

    [Theory]
    [InlineData("async", "binary", "buffered")]
    [InlineData("async", "binary", "framed")]
    [InlineData("async", "compact", "buffered")]
    [InlineData("async", "compact", "framed")]
    [InlineData("async", "json", "buffered")]
    [InlineData("async", "json", "framed")]
    [InlineData("sync", "binary", "buffered")]
    [InlineData("sync", "compact", "framed")]
    public async Task ClientSendingACallAByteAtATime_IsClosedAtTheMessageDeadline_WhileOthersAreServed(string workerClass, string protocol, string transport)
    {
        int port = FreePort.Next();
        // A client timeout far above the byte interval: without the message deadline, nothing would end the slow client.
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1,
            ["-k", workerClass, "--thrift-protocol-factory", protocol, "--thrift-transport-factory", transport,
             "--thrift-client-timeout", "20", "--thrift-message-timeout", MessageTimeoutSeconds.ToString(CultureInfo.InvariantCulture)],
            output);
        int mark = server.LogMark;

        byte[] call = await SerializeEchoAsync(protocol, transport, new string('x', 64));
        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await slow.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        var sending = Task.Run(() => SendSlowly(slow, call));

        // Served meanwhile (the sync worker serves it once the slow client is gone).
        using (var client = await ThriftClients.TestServiceAsync(port, TimeSpan.FromSeconds(20), protocol, transport))
            Assert.Equal(3, await client.add(1, 2).WaitAsync(TimeSpan.FromSeconds(30)));

        var (sent, closedAfter) = await sending.WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"[test] slow client closed by the server after {sent} of {call.Length} bytes, {closedAfter.TotalSeconds:0.0}s after its first byte");
        Assert.True(sent < call.Length, $"the slow client sent its whole call ({call.Length} bytes) before the server closed it");
        Assert.True(closedAfter >= TimeSpan.FromSeconds(MessageTimeoutSeconds), $"closed {closedAfter.TotalSeconds:0.0}s after the first byte, before the deadline");

        var line = await server.WaitForLogAsync(MessageTimedOut, TimeSpan.FromSeconds(10), mark);
        output.WriteLine($"[test] {line.Value}");
        Assert.Equal(((IPEndPoint)slow.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture), line.Groups["peer"].Value.Split(':')[^1]);

        // The worker lives on and keeps serving.
        using (var after = await ThriftClients.TestServiceAsync(port, TimeSpan.FromSeconds(20), protocol, transport))
            Assert.Equal("still here", await after.echo("still here"));
        Assert.Single(server.WorkerPids());
    }

    /// <summary>
    /// Sends <paramref name="call"/> one byte per <see cref="ByteInterval"/> until the server closes the connection; returns
    /// how many bytes were sent and when, after the first byte, the close was seen.
    /// </summary>
    private static (int Sent, TimeSpan ClosedAfter) SendSlowly(Socket socket, byte[] call)
    {
        var clock = Stopwatch.StartNew();
        var scratch = new byte[256];
        for (int sent = 0; sent < call.Length; sent++)
        {
            try
            {
                socket.Send(call, sent, 1, SocketFlags.None);
                // Waits the interval, or less when the server closes the connection (readable, and a read returns 0).
                if (socket.Poll((int)ByteInterval.TotalMicroseconds, SelectMode.SelectRead) && socket.Receive(scratch) == 0)
                    return (sent + 1, clock.Elapsed);
            }
            catch (SocketException)
            {
                return (sent, clock.Elapsed);
            }
        }
        // Whole call sent: wait for the reply or the close, to report what happened.
        return (call.Length, clock.Elapsed);
    }

    /// <summary>The bytes a generated client puts on the wire for echo(text), in the given protocol and transport.</summary>
    private static async Task<byte[]> SerializeEchoAsync(string protocol, string transport, string text)
    {
        var memory = new TMemoryBufferTransport(new TConfiguration());
        TTransport layered = transport == "framed" ? new TFramedTransport(memory) : memory;
        TProtocol wire = protocol switch
        {
            "binary" => new TBinaryProtocol(layered),
            "compact" => new TCompactProtocol(layered),
            _ => new TJsonProtocol(layered),
        };
        var client = new testapp.TestService.Client(wire);
        await client.send_echo(text);
        return memory.GetBuffer();
    }
}
