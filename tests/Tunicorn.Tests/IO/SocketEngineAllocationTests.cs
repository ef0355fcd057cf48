using Thrift;
using Tunicorn.Thrift;

namespace Tunicorn.Tests.IO;

/// <summary>
/// The plain engines' fast path, through the transport as a connection uses it: a call whose bytes are already in the
/// kernel is read, and its reply sent, without allocating (no boxed state machine, no timer, no task).
/// </summary>
public sealed class SocketEngineAllocationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private const int Calls = 200;
    // The first calls create what a connection keeps (the I/O timeout's source and timer, pooled state machines).
    private const int WarmUpCalls = 20;
    private const int CallSize = 40;

    [Theory]
    [InlineData(EngineConnection.DotNet)]
    [InlineData(EngineConnection.Loop)]
    public async Task ACallAlreadyReceived_IsReadAndAnsweredWithoutAllocating(string kind)
    {
        await using var connection = await EngineConnection.OpenAsync(kind);
        // An I/O timeout, as every worker connection has: the timer must be re-armed, not re-made.
        using var transport = new SocketTransport(connection.Engine, new TConfiguration(), TimeSpan.FromSeconds(30), CancellationToken.None);
        byte[] call = new byte[CallSize];
        byte[] read = new byte[CallSize];
        byte[] reply = new byte[CallSize];
        long allocated = 0;
        int asynchronous = 0;

        for (int i = 0; i < Calls; i++)
        {
            long events = connection.Readiness?.Read.Events ?? 0;
            connection.ClientSocket.Send(call);
            WaitUntilReceived(connection, events);

            long before = GC.GetAllocatedBytesForCurrentThread();
            transport.ResetMessageSizeAndConsumedBytes();
            ValueTask<int> reading = transport.ReadAllAsync(read, 0, CallSize, CancellationToken.None);
            Task writing = transport.WriteAsync(reply, 0, CallSize, CancellationToken.None);
            Task flushing = transport.FlushAsync(CancellationToken.None);
            long after = GC.GetAllocatedBytesForCurrentThread();

            if (!reading.IsCompletedSuccessfully || !writing.IsCompletedSuccessfully || !flushing.IsCompletedSuccessfully)
                asynchronous++;
            if (i >= WarmUpCalls)
                allocated += after - before;
            await reading;
            await flushing;
            ReceiveReply(connection);
        }

        Assert.Equal(0, asynchronous);
        Assert.Equal(0, allocated);
    }

    /// <summary>Until the call's bytes are in the server's socket and, with a readiness loop, the loop has seen them.</summary>
    private static void WaitUntilReceived(EngineConnection connection, long eventsBefore)
    {
        bool here = SpinWait.SpinUntil(() => connection.ServerSocket.Available >= CallSize
            && (connection.Readiness is not { } readiness || readiness.Read.Events != eventsBefore), Deadline);
        Assert.True(here, "the call's bytes did not reach the server socket");
    }

    private static void ReceiveReply(EngineConnection connection)
    {
        var buffer = new byte[CallSize];
        int total = 0;
        connection.ClientSocket.ReceiveTimeout = (int)Deadline.TotalMilliseconds;
        while (total < CallSize)
        {
            int n = connection.ClientSocket.Receive(buffer, total, CallSize - total, System.Net.Sockets.SocketFlags.None);
            Assert.NotEqual(0, n);
            total += n;
        }
    }
}
