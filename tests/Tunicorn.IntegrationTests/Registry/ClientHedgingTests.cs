using Tunicorn.Client;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// Hedged requests (issue 18, item 7): with one of two servers stopped by SIGSTOP (it accepts connections and answers
/// nothing), idempotent calls with HedgeAfter are answered by the other server within their deadline, where the same
/// calls without hedging time out.
/// </summary>
public sealed class ClientHedgingTests(ITestOutputHelper output) : IDisposable
{
    private const int Calls = 20;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    private readonly TestOutputLogger _clientLog = new();

    [Fact]
    public async Task SigstopOfOneOfTwo_HedgedCallsAfter50ms_AllAnsweredByTheOther_WithoutHedgingTheyTimeOut()
    {
        int[] ports = [FreePort.Next(), FreePort.Next()];
        var masters = await Task.WhenAll(ports.Select(p => TunicornServer.StartAsync(TestServiceApp.Spec, p, 1, ["-k", "threaded", "--threads", "4"], output)));
        await using var _ = new AsyncDisposables(masters);
        var servers = ports.Select(p => $"127.0.0.1:{p}").ToList();
        await using var hedging = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions { Servers = servers, LoggerFactory = _clientLog });
        await using var plain = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions { Servers = servers });
        int victim = masters[0].WorkerPids().Single();
        int other = masters[1].WorkerPids().Single();
        // Cold workers first run code not compiled yet: warmed with a patient deadline, so that only the stop shows.
        for (int i = 0; i < 10; i++)
        {
            await hedging.CallAsync((c, ct) => c.pid(ct), new CallOptions { Timeout = TimeSpan.FromSeconds(20) });
            await plain.CallAsync((c, ct) => c.pid(ct), new CallOptions { Timeout = TimeSpan.FromSeconds(20) });
        }

        Assert.True(Posix.Kill(victim, UnixSignal.Stop));
        try
        {
            var answeredBy = new List<int>();
            var pids = new List<int>();
            for (int i = 0; i < Calls; i++)
            {
                pids.Add(await hedging.CallAsync((c, ct) => c.pid(ct), new CallOptions
                {
                    Idempotent = true,
                    HedgeAfter = TimeSpan.FromMilliseconds(50),
                    Timeout = Deadline,
                    OnCompleted = info => answeredBy.Add(info.Server!.Port),
                }));
            }

            // Round robin over two servers: without hedging, one call of two goes to the stopped server and times out.
            var unhedged = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            {
                try
                {
                    await plain.CallAsync((c, ct) => c.pid(ct), new CallOptions { Idempotent = true, Timeout = Deadline });
                    return null;
                }
                catch (CallTimeoutException e)
                {
                    return e;
                }
            }));

            output.WriteLine($"[test] hedged: {Calls} calls answered by pids {string.Join(",", pids.Distinct())}; " +
                $"{_clientLog.Lines.Count(l => l.Contains(" 5010 ", StringComparison.Ordinal))} hedges; unhedged: {unhedged.Count(e => e is not null)} of 4 timed out");
            Assert.All(pids, pid => Assert.Equal(other, pid));
            Assert.All(answeredBy, port => Assert.Equal(ports[1], port));
            Assert.Contains(_clientLog.Lines, l => l.Contains($" 5010 Call to 127.0.0.1:{ports[0]} has not answered in 50 ms", StringComparison.Ordinal));
            Assert.Contains(unhedged, e => e is not null && e.Server!.Port == ports[0]);
        }
        finally
        {
            Assert.True(Posix.Kill(victim, UnixSignal.Cont));
        }
    }

    [Fact]
    public async Task NonIdempotentCall_WithHedgeAfter_IsRefused_TheSameCallIdempotentIsAnswered()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(TestServiceApp.Spec, port, 1, output: output);
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions { Servers = [$"127.0.0.1:{port}"], LoggerFactory = _clientLog });
        int sent = 0;

        var e = await Assert.ThrowsAsync<ArgumentException>(() => client.CallAsync((c, ct) =>
        {
            Interlocked.Increment(ref sent);
            return c.add(1, 2, ct);
        }, new CallOptions { HedgeAfter = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromSeconds(20) }));

        Assert.Contains("HedgeAfter is only for idempotent calls", e.Message);
        Assert.Equal(0, sent);
        Assert.Equal(3, await client.CallAsync((c, ct) => c.add(1, 2, ct),
            new CallOptions { HedgeAfter = TimeSpan.FromMilliseconds(50), Idempotent = true, Timeout = TimeSpan.FromSeconds(20) }));
    }

    public void Dispose()
    {
        foreach (string line in _clientLog.Lines.TakeLast(60))
            output.WriteLine(line);
    }
}
