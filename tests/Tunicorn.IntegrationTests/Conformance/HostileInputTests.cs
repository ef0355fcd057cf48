using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Thrift;
using Thrift.Protocol;
using Thrift.Protocol.Entities;
using Thrift.Protocol.Utilities;
using Thrift.Transport;
using Thrift.Transport.Client;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Conformance;

/// <summary>
/// Issue 3, acceptance 2: each input of Conformance/HostileInputs/ against a server of one worker class (one derived
/// class per worker class, so the three run in parallel), and 5 x worker_connections connections at once. In every
/// case the connection gets what its input deserves, the log line naming the client's address gives the reason, the
/// workers live on with bounded memory, and a well-behaved client calling the same server meanwhile gets correct answers.
/// </summary>
public abstract class HostileInputTests<TServer>(TServer host, ITestOutputHelper output) : IClassFixture<TServer>
    where TServer : HostileInputServer
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    public static TheoryData<string> Inputs() => [.. HostileInput.Names()];

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task HostileInput_ClosesOnlyItsConnection_WithItsReasonLogged_WhileTheWorkerServesOthers(string input)
    {
        var hostile = HostileInput.Load(input);
        for (int attempt = 1; ; attempt++)
        {
            (int localPort, Exception? failure) = await SendAsync(hostile);
            output.WriteLine($"{input} on {host.WorkerClass}: {hostile.Bytes.Length} bytes from 127.0.0.1:{localPort}");

            // The line names this client's address and gives the input's reason, in whichever order the message puts them.
            var expected = new Regex($@"^(?=.*from 127\.0\.0\.1:{localPort}\b)(?=.*(?:{hostile.Log})).*", RegexOptions.CultureInvariant);
            var idle = new Regex($@"^.*from 127\.0\.0\.1:{localPort} idle for.*", RegexOptions.CultureInvariant);
            var logged = await host.Server.WaitForLogAsync(new Regex($"{expected}|{idle}", RegexOptions.CultureInvariant), Deadline);
            output.WriteLine(logged.Value);
            if (!expected.IsMatch(logged.Value) && attempt < 3)
            {
                // The test process stalled past thrift_client_timeout between connecting and sending (a loaded
                // machine), so the server rightly closed the connection as idle: that says nothing about the input.
                output.WriteLine("closed as idle before the input arrived: sending it again");
                continue;
            }
            Assert.Matches(expected, logged.Value);
            if (failure is not null)
                throw failure;
            break;
        }
        await host.AssertHealthyAsync();
    }

    [Fact]
    public async Task FiveTimesWorkerConnections_AtOnce_WaitInTheBacklogAndAreAllAnswered()
    {
        int count = 5 * HostileInputServer.ConnectionsPerWorker;
        var flood = Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            for (int attempt = 1; ; attempt++)
            {
                var socket = new TSocketTransport(IPAddress.Loopback, host.Port, new TConfiguration(), (int)Deadline.TotalMilliseconds);
                var client = new ThriftTest.ThriftTest.Client(new TBinaryProtocol(new TBufferedTransport(socket)));
                int localPort = 0;
                try
                {
                    await client.OpenTransportAsync();
                    localPort = ((IPEndPoint)socket.TcpClient.Client.LocalEndPoint!).Port;
                    return await client.testString($"flood {i}");
                }
                catch (Exception e) when (e is TTransportException or IOException && attempt < 3)
                {
                    // Stalled past thrift_client_timeout before its call, or for the second after which a worker at
                    // worker_connections closes its longest-idle connection to admit a waiting one (a loaded test
                    // machine): not the server's fault, when the server's log says so; anything else fails the test.
                    var idle = new Regex($@"from 127\.0\.0\.1:{localPort},? idle for", RegexOptions.CultureInvariant);
                    if (localPort == 0 || !await LoggedWithinAsync(idle, TimeSpan.FromSeconds(3)))
                        throw;
                }
                finally
                {
                    ConformanceClients.Close(client);
                }
            }
        }));
        string[] answers;
        try
        {
            answers = await flood;
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"a flood connection failed: {e}{Environment.NewLine}{host.Server.Describe()}");
        }
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"flood {i}"), answers);
        await host.AssertHealthyAsync();
    }

    /// <summary>
    /// Sends the input on a new connection and checks what comes back; returns the client's port and what failed
    /// on the client side, if anything (judged once the server's log tells whether the connection was closed as idle).
    /// </summary>
    private async Task<(int LocalPort, Exception? Failure)> SendAsync(HostileInput hostile)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, host.Port);
        int localPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
        try
        {
            // Made while connected: once the server has closed its end, the constructor refuses the socket.
            using var stream = new NetworkStream(socket, ownsSocket: false);
            try
            {
                await socket.SendAsync(hostile.Bytes, SocketFlags.None);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown)
            {
                // The server may refuse the rest of an oversized input: that is the point.
            }
            if (hostile.HalfClose)
                socket.Shutdown(SocketShutdown.Send);

            if (hostile.ExpectedException is int type)
            {
                var reply = await ReadReplyAsync(stream);
                Assert.Equal(TMessageType.Exception, reply.Type);
                Assert.Equal(type, (int)reply.Exception!.Type);
                if (hostile.CallAfter)
                {
                    await stream.WriteAsync(TestVoidCall);
                    Assert.Equal(TMessageType.Reply, (await ReadReplyAsync(stream)).Type);
                }
            }
            if (!hostile.CallAfter)
                await AssertClosedByServerAsync(stream);
            return (localPort, null);
        }
        catch (Exception e)
        {
            return (localPort, e);
        }
    }

    private async Task<bool> LoggedWithinAsync(Regex pattern, TimeSpan timeout)
    {
        try
        {
            await host.Server.WaitForLogAsync(pattern, timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>testVoid(), seqid 2, binary protocol.</summary>
    private static readonly byte[] TestVoidCall =
        [0x80, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08, .. "testVoid"u8, 0x00, 0x00, 0x00, 0x02, 0x00];

    private sealed record Reply(TMessageType Type, TApplicationException? Exception);

    /// <summary>Reads one binary-protocol reply; an exception reply's TApplicationException comes with it.</summary>
    private static async Task<Reply> ReadReplyAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var protocol = new TBinaryProtocol(new TStreamTransport(stream, null, new TConfiguration()));
        var header = await protocol.ReadMessageBeginAsync(timeout.Token);
        if (header.Type == TMessageType.Exception)
        {
            var exception = await TApplicationException.ReadAsync(protocol, timeout.Token);
            await protocol.ReadMessageEndAsync(timeout.Token);
            return new Reply(header.Type, exception);
        }
        await TProtocolUtil.SkipAsync(protocol, TType.Struct, timeout.Token);
        await protocol.ReadMessageEndAsync(timeout.Token);
        return new Reply(header.Type, null);
    }

    /// <summary>Reads until the server closes the connection (end of stream or reset), within the deadline.</summary>
    private static async Task AssertClosedByServerAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var buffer = new byte[64 * 1024];
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the server did not close the connection within {Deadline.TotalSeconds}s");
        }
    }
}
