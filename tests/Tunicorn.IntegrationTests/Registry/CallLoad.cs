using System.Collections.Concurrent;
using System.Diagnostics;
using Tunicorn.Client;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// Calls TestService.pid() through a TunicornClient from several tasks at once, each one call at a time, until a
/// number of calls is reached or it is stopped; every call is recorded. Bounded in time by <see cref="MaxDuration"/>.
/// </summary>
internal sealed class CallLoad : IAsyncDisposable
{
    public static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(60);

    private readonly ConcurrentQueue<CallRecord> _records = new();
    private readonly CancellationTokenSource _stop = new(MaxDuration);
    private readonly Task[] _tasks;
    private int _remaining;

    private readonly CallOptions _options;

    private CallLoad(TunicornClient<testapp.TestService.Client> client, int concurrency, int calls, CallOptions? options)
    {
        _remaining = calls;
        _options = options ?? new CallOptions { Timeout = TimeSpan.FromSeconds(5) };
        _tasks = [.. Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => RunAsync(client)))];
    }

    public IReadOnlyList<CallRecord> Records => [.. _records];

    /// <summary>Starts calling until <see cref="StopAsync"/> (or <paramref name="calls"/> calls in all); each call with <paramref name="options"/> (by default a 5 s deadline).</summary>
    public static CallLoad Start(TunicornClient<testapp.TestService.Client> client, int concurrency, int calls = int.MaxValue, CallOptions? options = null) =>
        new(client, concurrency, calls, options);

    /// <summary>Waits until every call of a counted load is done.</summary>
    public Task CompletionAsync() => Task.WhenAll(_tasks).WaitAsync(MaxDuration);

    public async Task<IReadOnlyList<CallRecord>> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_tasks).WaitAsync(MaxDuration);
        return Records;
    }

    public static TimeSpan Elapsed(long from, long to) => Stopwatch.GetElapsedTime(from, to);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task RunAsync(TunicornClient<testapp.TestService.Client> client)
    {
        while (!_stop.IsCancellationRequested && Interlocked.Decrement(ref _remaining) >= 0)
        {
            long start = Stopwatch.GetTimestamp();
            try
            {
                int pid = await client.CallAsync((c, ct) => c.pid(ct), _options);
                _records.Enqueue(new CallRecord(start, Stopwatch.GetTimestamp(), pid, null));
            }
            catch (Exception e)
            {
                _records.Enqueue(new CallRecord(start, Stopwatch.GetTimestamp(), null, e));
            }
        }
    }
}
