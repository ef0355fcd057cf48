using System.Diagnostics;
using Thrift;
using Tunicorn.IO;
using Tunicorn.Thrift;
using Xunit;

namespace Tunicorn.Tests.Thrift;

public sealed class ConnectionWaiterTests
{
    [Fact]
    public async Task AfterAReply_TheConnectionIsIdleSinceTheReplysFlush_NotSinceItsWaitBegan()
    {
        using var pair = await SocketPair.CreateAsync();
        using var endpoint = new SocketTransport(new DotNetSocketEngine(pair.Server), new TConfiguration(), null, CancellationToken.None);
        using var waiter = new ConnectionWaiter(idleTimeout: null, CancellationToken.None, CancellationToken.None);

        await endpoint.WriteAsync(new byte[] { 1, 2, 3 }, CancellationToken.None);
        long beforeFlush = Stopwatch.GetTimestamp();
        await endpoint.FlushAsync(CancellationToken.None);
        long afterFlush = Stopwatch.GetTimestamp();
        // Whatever the worker does after a reply before it waits again (a slow hook, a descheduled thread).
        SpinUntilClockPasses(afterFlush);

        var wait = waiter.WaitAsync(endpoint).AsTask();
        long since = await UntilWaitingAsync(waiter);
        Assert.InRange(since, beforeFlush, afterFlush);

        await pair.Client.SendAsync(new byte[] { 9 });
        Assert.Equal(WaitOutcome.CallArrived, await wait.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, waiter.IdleSince);
    }

    [Fact]
    public async Task WithoutAReplySinceTheLastWait_TheConnectionIsIdleSinceItsWaitBegan()
    {
        using var pair = await SocketPair.CreateAsync();
        using var endpoint = new SocketTransport(new DotNetSocketEngine(pair.Server), new TConfiguration(), null, CancellationToken.None);
        using var waiter = new ConnectionWaiter(idleTimeout: null, CancellationToken.None, CancellationToken.None);

        await endpoint.FlushAsync(CancellationToken.None);
        await pair.Client.SendAsync(new byte[] { 9 });
        Assert.Equal(WaitOutcome.CallArrived, await waiter.WaitAsync(endpoint)); // takes the reply's time
        await ReadAllAsync(endpoint, 1);

        // A oneway call sends no reply: its next wait counts from when it begins.
        long beforeWait = Stopwatch.GetTimestamp();
        var wait = waiter.WaitAsync(endpoint).AsTask();
        Assert.True(await UntilWaitingAsync(waiter) >= beforeWait);
        Assert.True(waiter.TryEvict());
        Assert.Equal(WaitOutcome.Evicted, await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task ReadAllAsync(SocketTransport endpoint, int count)
    {
        var buffer = new byte[count];
        int read = 0;
        while (read < count)
            read += await endpoint.ReadAsync(buffer, read, count - read, CancellationToken.None);
    }

    private static void SpinUntilClockPasses(long timestamp)
    {
        long until = timestamp + Stopwatch.Frequency / 100;
        while (Stopwatch.GetTimestamp() < until)
            Thread.SpinWait(100);
    }

    private static async Task<long> UntilWaitingAsync(ConnectionWaiter waiter)
    {
        var deadline = Stopwatch.StartNew();
        while (waiter.IdleSince == 0)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "the waiter never began waiting");
            await Task.Yield();
        }
        return waiter.IdleSince;
    }
}
