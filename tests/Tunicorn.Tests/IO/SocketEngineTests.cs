using System.Net.Sockets;
using Thrift;
using Thrift.Transport;
using Tunicorn.Thrift;

namespace Tunicorn.Tests.IO;

/// <summary>
/// Each socket engine under the transport, on real loopback sockets: the same bytes, ends, timeouts and errors
/// (TTransportException kinds and words that logs and ConnectionFault rely on) whichever engine moves them.
/// </summary>
public sealed class SocketEngineTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    // Short limits for the waits that must end in a timeout; nothing is sent, so the outcome does not depend on speed.
    private static readonly TimeSpan ShortLimit = TimeSpan.FromMilliseconds(200);

    public static TheoryData<string> Engines => [EngineConnection.DotNet, EngineConnection.Loop, EngineConnection.Tls];

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task BytesFromTheClient_AreRead_AndTheReplyReachesIt(string kind)
    {
        await using var connection = await EngineConnection.OpenAsync(kind);
        using var transport = Transport(connection);

        await connection.Client.WriteAsync(new byte[] { 1, 2, 3 });
        await connection.Client.FlushAsync();
        Assert.True(await transport.WaitForDataAsync(CancellationToken.None).AsTask().WaitAsync(Deadline));
        var read = new byte[3];
        Assert.Equal(3, await transport.ReadAllAsync(read, 0, 3, CancellationToken.None).AsTask().WaitAsync(Deadline));
        Assert.Equal(new byte[] { 1, 2, 3 }, read);

        await transport.WriteAsync(new byte[] { 4, 5 }, 0, 2, CancellationToken.None);
        await transport.FlushAsync(CancellationToken.None).WaitAsync(Deadline);
        var reply = new byte[2];
        await connection.Client.ReadExactlyAsync(reply).AsTask().WaitAsync(Deadline);
        Assert.Equal(new byte[] { 4, 5 }, reply);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task AReplyLargerThanTheBuffers_ArrivesWhole(string kind)
    {
        await using var connection = await EngineConnection.OpenAsync(kind);
        using var transport = Transport(connection);
        var payload = new byte[1 << 20];
        Random.Shared.NextBytes(payload);

        Task sending = SendAsync(transport, payload);
        var received = new byte[payload.Length];
        await connection.Client.ReadExactlyAsync(received).AsTask().WaitAsync(Deadline);
        await sending.WaitAsync(Deadline);
        Assert.Equal(payload, received);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task ThePeerClosesItsEnd_WaitForDataIsFalse(string kind)
    {
        await using var connection = await EngineConnection.OpenAsync(kind);
        using var transport = Transport(connection);

        if (connection.Client is System.Net.Security.SslStream tls)
            await tls.ShutdownAsync();
        connection.ClientSocket.Shutdown(SocketShutdown.Send);

        Assert.False(await transport.WaitForDataAsync(CancellationToken.None).AsTask().WaitAsync(Deadline));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task ThePeerStopsInAMessage_TheReadTimesOutAtTheClientTimeout(string kind)
    {
        await using var connection = await EngineConnection.OpenAsync(kind);
        using var transport = Transport(connection, ioTimeout: ShortLimit);

        var error = await Assert.ThrowsAsync<TTransportException>(() => transport.ReadAllAsync(new byte[4], 0, 4, CancellationToken.None).AsTask().WaitAsync(Deadline));
        Assert.Equal(TTransportException.ExceptionType.TimedOut, error.Type);
        Assert.Equal("no data from the peer for 0.2s (thrift_client_timeout)", error.Message);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task TheMessageDeadlinePasses_TheReadFailsWithTheMessageTimeout(string kind)
    {
        await using var connection = await EngineConnection.OpenAsync(kind);
        using var transport = Transport(connection, ioTimeout: TimeSpan.FromSeconds(30));

        transport.StartMessageDeadline(ShortLimit);
        var error = await Assert.ThrowsAsync<TTransportException>(() => transport.ReadAllAsync(new byte[4], 0, 4, CancellationToken.None).AsTask().WaitAsync(Deadline));
        Assert.Equal(TTransportException.ExceptionType.TimedOut, error.Type);
        Assert.Equal("the call was not sent whole within 0.2s of its first byte (thrift_message_timeout)", error.Message);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task TheWorkerAborts_AReadEndsInterrupted(string kind)
    {
        await using var connection = await EngineConnection.OpenAsync(kind);
        using var abort = new CancellationTokenSource();
        using var transport = Transport(connection, abort: abort.Token);

        ValueTask<int> reading = transport.ReadAllAsync(new byte[4], 0, 4, abort.Token);
        await abort.CancelAsync();

        var error = await Assert.ThrowsAsync<TTransportException>(() => reading.AsTask().WaitAsync(Deadline));
        Assert.Equal(TTransportException.ExceptionType.Interrupted, error.Type);
        Assert.Equal("the worker aborted the connection", error.Message);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task ThePeerResetsTheConnection_TheReadIsEndOfFile(string kind)
    {
        await using var connection = await EngineConnection.OpenAsync(kind);
        using var transport = Transport(connection);

        // A close with unread bytes sends a reset (RFC 2525), and a zero linger time makes sure of it.
        connection.ClientSocket.LingerState = new LingerOption(true, 0);
        connection.ClientSocket.Close();

        var error = await Assert.ThrowsAsync<TTransportException>(() => transport.ReadAllAsync(new byte[4], 0, 4, CancellationToken.None).AsTask().WaitAsync(Deadline));
        Assert.Equal(TTransportException.ExceptionType.EndOfFile, error.Type);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task CancellingTheWaitForACall_IsOperationCanceled(string kind)
    {
        await using var connection = await EngineConnection.OpenAsync(kind);
        using var transport = Transport(connection);
        using var cancel = new CancellationTokenSource();

        ValueTask<bool> waiting = transport.WaitForDataAsync(cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask().WaitAsync(Deadline));
    }

    private static SocketTransport Transport(EngineConnection connection, TimeSpan? ioTimeout = null, CancellationToken abort = default) =>
        new(connection.Engine, new TConfiguration { MaxMessageSize = 64 << 20 }, ioTimeout ?? TimeSpan.FromSeconds(30), abort);

    private static async Task SendAsync(SocketTransport transport, byte[] payload)
    {
        await transport.WriteAsync(payload, 0, payload.Length, CancellationToken.None);
        await transport.FlushAsync(CancellationToken.None);
    }
}
