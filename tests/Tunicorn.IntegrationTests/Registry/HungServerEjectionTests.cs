using System.Diagnostics;
using Tunicorn.Client;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// A hung server is ejected (issue 18, defect 1): one of three servers stopped with SIGSTOP accepts connections and
/// answers nothing; its calls time out, the timeouts count as failures, and the client stops sending to it.
/// </summary>
public sealed class HungServerEjectionTests(ITestOutputHelper output) : IDisposable
{
    private const int Concurrency = 6;
    private static readonly TimeSpan CallDeadline = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Hung = TimeSpan.FromSeconds(3);

    private readonly TestOutputLogger _clientLog = new();

    [Fact]
    public async Task SigstopOfOneOfThreeFor3s_At500msDeadlines_IsEjectedAfterAFewTimeouts_AndComesBackAfterSigcont()
    {
        int[] ports = [FreePort.Next(), FreePort.Next(), FreePort.Next()];
        var masters = await Task.WhenAll(ports.Select(p => TunicornServer.StartAsync(TestServiceApp.Spec, p, 1, output: output)));
        await using var _ = new AsyncDisposables(masters);
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions
        {
            Servers = [.. ports.Select(p => $"127.0.0.1:{p}")],
            LoggerFactory = _clientLog,
        });
        var victim = masters[0];
        int worker = victim.WorkerPids().Single();
        // A cold worker's first calls run code not compiled yet, which on a busy machine takes longer than 500 ms:
        // they are made with a patient deadline first, so that only the hang shows in the timeouts.
        for (int i = 0; i < 30; i++)
            await client.CallAsync((c, ct) => c.pid(ct), new CallOptions { Timeout = TimeSpan.FromSeconds(20) });
        await using var load = CallLoad.Start(client, Concurrency, options: new CallOptions { Timeout = CallDeadline });
        await Eventually.WaitUntilAsync(() => load.Records.Count(r => r.WorkerPid == worker) >= 300, TimeSpan.FromSeconds(30), "300 calls reached the victim");

        // The measurement window before is as long as the hang: the rates compare like with like.
        long beforeStart = Stopwatch.GetTimestamp();
        await Task.Delay(Hung);
        long stopped = Stopwatch.GetTimestamp();
        Assert.True(Posix.Kill(worker, UnixSignal.Stop));
        _clientLog.Log(Microsoft.Extensions.Logging.LogLevel.Information, 0, $"[test] SIGSTOP {worker}", null, (s, _) => s);
        try
        {
            await Task.Delay(Hung);
        }
        finally
        {
            Assert.True(Posix.Kill(worker, UnixSignal.Cont));
        }
        long resumed = Stopwatch.GetTimestamp();
        _clientLog.Log(Microsoft.Extensions.Logging.LogLevel.Information, 0, $"[test] SIGCONT {worker}", null, (s, _) => s);
        await Eventually.WaitUntilAsync(() => load.Records.Any(r => r.WorkerPid == worker && r.Start > resumed), TimeSpan.FromSeconds(40),
            "the resumed server gets calls again", () => string.Join(Environment.NewLine, _clientLog.Lines.TakeLast(20)));
        var records = await load.StopAsync();

        bool During(CallRecord r) => r.End >= stopped && r.End < resumed;
        // Calls sent to the server just before SIGCONT time out up to one deadline after it.
        long afterHang = resumed + (long)(CallDeadline.TotalSeconds * Stopwatch.Frequency);
        double before = records.Count(r => !r.Failed && r.End >= beforeStart && r.End < stopped) / Hung.TotalSeconds;
        double during = records.Count(r => !r.Failed && During(r)) / CallLoad.Elapsed(stopped, resumed).TotalSeconds;
        var failed = records.Where(r => r.Failed && r.End >= stopped && r.End < afterHang).ToList();
        output.WriteLine($"[test] calls/s before {before:0}, during the hang {during:0} ({100 * during / before:0} %); {failed.Count} calls failed: " +
            string.Join(", ", failed.GroupBy(f => f.Error!.GetType().Name).Select(g => $"{g.Count()} {g.Key}")) +
            $" ({records.Count(r => r.Failed) - failed.Count} outside the hang)");

        Assert.All(records.Where(r => r.Failed), f => Assert.IsType<CallTimeoutException>(f.Error));
        Assert.Contains(_clientLog.Lines, l => l.Contains($"Server 127.0.0.1:{ports[0]} ejected", StringComparison.Ordinal));
        // Without ejection every caller lands on the hung server again each round (about Concurrency per deadline,
        // ~36 in 3 s); with it, the first round (Concurrency) and one probe after each ejection.
        Assert.True(failed.Count <= 3 * Concurrency, $"{failed.Count} calls timed out");
    }

    [Fact]
    public async Task SlowCallTime_AnswersSlowerThanIt_CountTowardEjection_AndStillReachTheCaller()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(TestServiceApp.Spec, port, 1, ["-k", "threaded", "--threads", "4"], output);
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions
        {
            Servers = [$"127.0.0.1:{port}"],
            SlowCallTime = TimeSpan.FromMilliseconds(100),
            LoggerFactory = _clientLog,
        });
        Assert.Equal(3, await client.CallAsync((c, ct) => c.add(1, 2, ct)));

        for (int i = 0; i < 3; i++)
            await client.CallAsync((c, ct) => c.sleep(300, ct), new CallOptions { Timeout = TimeSpan.FromSeconds(20) });

        Assert.Contains(_clientLog.Lines, l => l.Contains($"Server 127.0.0.1:{port} ejected", StringComparison.Ordinal)
            && l.Contains("more than SlowCallTime (100 ms)", StringComparison.Ordinal));
        // The only server, ejected, is still used: better a slow server than none.
        Assert.Equal(5, await client.CallAsync((c, ct) => c.add(2, 3, ct)));
    }

    public void Dispose()
    {
        foreach (string line in _clientLog.Lines.Where(l => !l.Contains("] [Debug] ", StringComparison.Ordinal)).TakeLast(100))
            output.WriteLine(line);
    }
}
