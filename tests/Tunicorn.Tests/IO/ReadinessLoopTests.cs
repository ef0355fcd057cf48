using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Thrift;
using Tunicorn.IO;
using Tunicorn.Tests.Thrift;
using Tunicorn.Thrift;

namespace Tunicorn.Tests.IO;

/// <summary>The async worker's socket engine on real loopback sockets, through the transport that uses it.</summary>
public sealed class ReadinessLoopTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly ReadinessLoop _loop = new(minThreads: 1, maxThreads: 4, TimeSpan.FromMilliseconds(50), NullLogger.Instance);

    public void Dispose() => _loop.Dispose();

    [Fact]
    public async Task Wait_CompletesWhenBytesArriveLater_AndReadsThem()
    {
        using var pair = await SocketPair.CreateAsync();
        using var readiness = _loop.Register(pair.Server);
        using var transport = Transport(pair.Server, readiness);

        ValueTask<bool> waiting = transport.WaitForDataAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        await pair.Client.SendAsync(new byte[] { 1, 2, 3 });

        Assert.True(await waiting.AsTask().WaitAsync(Deadline));
        var read = new byte[3];
        Assert.Equal(3, await transport.ReadAllAsync(read, 0, 3, CancellationToken.None));
        Assert.Equal(new byte[] { 1, 2, 3 }, read);
    }

    [Fact]
    public async Task BytesAndTheEndArrivingTogether_TheEndIsSeenAfterTheBytes()
    {
        using var pair = await SocketPair.CreateAsync();
        using var readiness = _loop.Register(pair.Server);
        using var transport = Transport(pair.Server, readiness);
        await pair.Client.SendAsync(new byte[] { 7, 8 });
        pair.Client.Shutdown(SocketShutdown.Send);
        // The loop counts the one event for both before the first read: the short read then leaves the end unread,
        // and no event will announce it again.
        await Eventually(() => readiness.Read.Events > 0);

        Assert.True(await transport.WaitForDataAsync(CancellationToken.None).AsTask().WaitAsync(Deadline));
        var read = new byte[2];
        Assert.Equal(2, await transport.ReadAllAsync(read, 0, 2, CancellationToken.None));
        Assert.False(await transport.WaitForDataAsync(CancellationToken.None).AsTask().WaitAsync(Deadline));
    }

    [Fact]
    public async Task AWriteLargerThanTheSocketBuffers_WaitsForRoom_AndArrivesWhole()
    {
        using var pair = await SocketPair.CreateAsync();
        // Only the sender's buffer is shrunk: a receive buffer smaller than a segment makes TCP drop and retransmit.
        pair.Server.SendBufferSize = 4096;
        using var readiness = _loop.Register(pair.Server);
        using var transport = Transport(pair.Server, readiness);
        var payload = new byte[4 << 20];
        Random.Shared.NextBytes(payload);

        // Returns at the first write the kernel refuses: 4 MiB cannot fit the buffers while nobody reads.
        Task flushing = WriteAndFlushAsync(transport, payload);
        Assert.False(flushing.IsCompleted);

        var received = new byte[payload.Length];
        int total = 0;
        while (total < received.Length)
        {
            int n = await pair.Client.ReceiveAsync(received.AsMemory(total)).AsTask().WaitAsync(Deadline);
            Assert.NotEqual(0, n);
            total += n;
        }
        await flushing.WaitAsync(Deadline);
        Assert.Equal(payload, received);
    }

    [Fact]
    public async Task Cancelling_EndsAWait_WithOperationCanceled()
    {
        using var pair = await SocketPair.CreateAsync();
        using var readiness = _loop.Register(pair.Server);
        using var transport = Transport(pair.Server, readiness);
        using var cancel = new CancellationTokenSource();

        ValueTask<bool> waiting = transport.WaitForDataAsync(cancel.Token);
        Assert.False(waiting.IsCompleted);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask().WaitAsync(Deadline));
    }

    [Fact]
    public async Task AContinuationThatBlocksItsLoopThread_AnotherThreadServesTheNextConnection()
    {
        using var first = await SocketPair.CreateAsync();
        using var second = await SocketPair.CreateAsync();
        using var firstReadiness = _loop.Register(first.Server);
        using var secondReadiness = _loop.Register(second.Server);
        using var firstTransport = Transport(first.Server, firstReadiness);
        using var secondTransport = Transport(second.Server, secondReadiness);
        using var release = new ManualResetEventSlim();
        using var blocking = new ManualResetEventSlim();

        // Runs on the loop thread that saw the byte, as a handler that blocks would.
        Task blocked = BlockAfterDataAsync(firstTransport, blocking, release);
        await first.Client.SendAsync(new byte[] { 1 });
        Assert.True(blocking.Wait(Deadline));
        Assert.Equal(1, _loop.Threads);

        ValueTask<bool> secondWait = secondTransport.WaitForDataAsync(CancellationToken.None);
        await second.Client.SendAsync(new byte[] { 2 });
        Assert.True(await secondWait.AsTask().WaitAsync(Deadline));
        Assert.Equal(2, _loop.Threads);

        release.Set();
        await blocked.WaitAsync(Deadline);
    }

    private static async Task BlockAfterDataAsync(SocketTransport transport, ManualResetEventSlim blocking, ManualResetEventSlim release)
    {
        // Without ConfigureAwait(false) xUnit's synchronization context would run the rest on a thread of its own;
        // a worker has no such context, so its continuations run on the loop thread, as here.
        await transport.WaitForDataAsync(CancellationToken.None).ConfigureAwait(false);
        blocking.Set();
        release.Wait(Deadline);
    }

    private static async Task WriteAndFlushAsync(SocketTransport transport, byte[] payload)
    {
        await transport.WriteAsync(payload, 0, payload.Length, CancellationToken.None);
        await transport.FlushAsync(CancellationToken.None);
    }

    private static SocketTransport Transport(Socket socket, SocketReadiness readiness) =>
        new(new ReadinessLoopEngine(readiness), new TConfiguration { MaxMessageSize = 64 << 20 }, ioTimeout: TimeSpan.FromSeconds(30), CancellationToken.None);

    private static async Task Eventually(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (!condition())
            await Task.Delay(10, deadline.Token);
    }
}
