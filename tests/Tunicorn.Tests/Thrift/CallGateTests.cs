using Tunicorn.Thrift;

namespace Tunicorn.Tests.Thrift;

/// <summary>
/// Issue 13: the gate of sync and threaded workers. Each simulated connection enters, runs its call and leaves, as
/// ThriftConnection's call loop does, and enters again at once when it "always has a call ready".
/// </summary>
public sealed class CallGateTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Leave_HandsTheTurnToTheOldestWaiting_BeforeTheLeavingConnectionCanTakeItAgain()
    {
        using var gate = new CallGate(1, "test call");
        var order = new List<string>();
        var holdA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // A holds the only turn, then, always ready, asks again the moment it leaves.
        Task a = RunCallsAsync(gate, "A", order, rounds: 2, hold: holdA.Task);
        await WaitUntilAsync(() => gate.Active == 1 && Count(order, "A") == 1);
        Task b = RunCallsAsync(gate, "B", order, rounds: 1, hold: null);
        await WaitUntilAsync(() => gate.Waiting == 1);
        Task c = RunCallsAsync(gate, "C", order, rounds: 1, hold: null);
        await WaitUntilAsync(() => gate.Waiting == 2);

        holdA.SetResult();
        await Task.WhenAll(a, b, c).WaitAsync(Deadline);

        Assert.Equal(["A", "B", "C", "A"], Snapshot(order));
        Assert.Equal(0, gate.Active);
    }

    [Fact]
    public async Task TwoConnectionsAlwaysReady_WithOneTurn_TakeTurnsInOrder()
    {
        using var gate = new CallGate(1, "test call");
        var order = new List<string>();
        using var go = new SemaphoreSlim(0);

        Task a = RunHeldCallsAsync(gate, "A", order, go);
        await WaitUntilAsync(() => Count(order) == 1);
        Task b = RunHeldCallsAsync(gate, "B", order, go);
        for (int call = 1; call < 2 * HeldRounds; call++)
        {
            // The other connection waits for its turn while this call runs; this one asks again as soon as it ends.
            await WaitUntilAsync(() => gate.Waiting == 1 && Count(order) == call);
            go.Release();
            await WaitUntilAsync(() => Count(order) == call + 1);
        }
        go.Release();
        await Task.WhenAll(a, b).WaitAsync(Deadline);

        // Neither keeps the other waiting for more than one round.
        Assert.Equal(string.Concat(Enumerable.Repeat("AB", HeldRounds)), string.Concat(Snapshot(order)));
    }

    [Fact]
    public async Task ManyConnections_NeverRunMoreCallsAtOnceThanTheCapacity_AndUseItAll()
    {
        const int capacity = 3;
        using var gate = new CallGate(capacity, "test call");
        int running = 0;
        int most = 0;
        // Each connection starts on a thread of its own, as connections arrive on loop threads: pool threads would be
        // as few as the cores, and calls that run inline on them could not all be there at once on a 2-core machine.
        var connections = Enumerable.Range(0, 12).Select(_ => Task.Factory.StartNew(async () =>
        {
            var waiter = new CallGate.Waiter();
            for (int round = 0; round < 20; round++)
            {
                await gate.EnterAsync(waiter);
                int now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
                // A handler that blocks its thread, as sync and threaded handlers may.
                Thread.Sleep(2);
                Interlocked.Decrement(ref running);
                gate.Leave();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()).ToArray();

        await Task.WhenAll(connections).WaitAsync(Deadline);

        Assert.Equal(capacity, Volatile.Read(ref most));
        Assert.Equal(0, gate.Active);
    }

    [Fact]
    public async Task EnterAsync_WithATurnFree_GoesOnInline_OnTheThreadItIsOn()
    {
        using var gate = new CallGate(1, "test call");
        (int before, int after) = await Task.Run(async () =>
        {
            int before = Environment.CurrentManagedThreadId;
            var turn = gate.EnterAsync(new CallGate.Waiter());
            Assert.True(turn.IsCompleted);
            await turn;
            int after = Environment.CurrentManagedThreadId;
            gate.Leave();
            return (before, after);
        }).WaitAsync(Deadline);

        Assert.Equal(before, after);
    }

    [Fact]
    public async Task EnterAsync_AfterWaitingForItsTurn_RunsTheCallOnACallThread()
    {
        using var gate = new CallGate(1, "test call");
        var holder = new CallGate.Waiter();
        Assert.True(gate.EnterAsync(holder).IsCompleted);

        Task<string?> waiting = Task.Run(async () =>
        {
            await gate.EnterAsync(new CallGate.Waiter());
            string? name = Thread.CurrentThread.Name;
            gate.Leave();
            return name;
        });
        await WaitUntilAsync(() => gate.Waiting == 1);
        gate.Leave();

        Assert.Equal("test call 1", await waiting.WaitAsync(Deadline));
    }

    [Fact]
    public async Task BlockedHandler_HoldsOnlyItsOwnTurn()
    {
        using var gate = new CallGate(2, "test call");
        using var unblock = new ManualResetEventSlim();
        var blockedStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task blocked = Task.Run(async () =>
        {
            await gate.EnterAsync(new CallGate.Waiter());
            blockedStarted.SetResult();
            unblock.Wait(Deadline);
            gate.Leave();
        });
        await blockedStarted.Task.WaitAsync(Deadline);

        Task other = Task.Run(async () =>
        {
            await gate.EnterAsync(new CallGate.Waiter());
            gate.Leave();
        });
        await other.WaitAsync(Deadline);

        Assert.False(blocked.IsCompleted);
        unblock.Set();
        await blocked.WaitAsync(Deadline);
    }

    [Fact]
    public async Task ReleaseAll_LetsWaitingConnectionsGoOn_AndLaterEntersDoNotWait()
    {
        using var gate = new CallGate(1, "test call");
        var holder = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task holding = Task.Run(async () =>
        {
            await gate.EnterAsync(new CallGate.Waiter());
            await holder.Task;
        });
        await WaitUntilAsync(() => gate.Active == 1);
        Task waiting = Task.Run(async () => await gate.EnterAsync(new CallGate.Waiter()));
        await WaitUntilAsync(() => gate.Waiting == 1);
        Assert.False(waiting.IsCompleted);

        gate.ReleaseAll();

        await waiting.WaitAsync(Deadline);
        await Task.Run(async () => await gate.EnterAsync(new CallGate.Waiter())).WaitAsync(Deadline);
        holder.SetResult();
        await holding.WaitAsync(Deadline);
    }

    /// <summary>A connection making <paramref name="rounds"/> calls back to back; the first holds its turn until <paramref name="hold"/>.</summary>
    private static Task RunCallsAsync(CallGate gate, string name, List<string> order, int rounds, Task? hold) => Task.Run(async () =>
    {
        var waiter = new CallGate.Waiter();
        for (int round = 0; round < rounds; round++)
        {
            await gate.EnterAsync(waiter);
            lock (order)
                order.Add(name);
            if (round == 0 && hold is not null)
                await hold;
            gate.Leave();
        }
    });

    private const int HeldRounds = 10;

    /// <summary>A connection making <see cref="HeldRounds"/> calls back to back, each of which ends when the test releases <paramref name="go"/>.</summary>
    private static Task RunHeldCallsAsync(CallGate gate, string name, List<string> order, SemaphoreSlim go) => Task.Run(async () =>
    {
        var waiter = new CallGate.Waiter();
        for (int round = 0; round < HeldRounds; round++)
        {
            await gate.EnterAsync(waiter);
            lock (order)
                order.Add(name);
            await go.WaitAsync();
            gate.Leave();
        }
    });

    private static int Count(List<string> order)
    {
        lock (order)
            return order.Count;
    }

    private static int Count(List<string> order, string name)
    {
        lock (order)
            return order.Count(n => n == name);
    }

    private static string[] Snapshot(List<string> order)
    {
        lock (order)
            return [.. order];
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen = Volatile.Read(ref target);
        while (value > seen)
        {
            int previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
                return;
            seen = previous;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (started.Elapsed > Deadline)
                throw new TimeoutException("the condition was not met in time");
            await Task.Delay(5);
        }
    }
}
