using System.Diagnostics;
using Tunicorn.Client;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>Retries of idempotent calls (issue 18, item 7): kill -9 of one of three servers under load costs no call.</summary>
public sealed class ClientRetryTests(ITestOutputHelper output) : IDisposable
{
    private const int Concurrency = 6;

    private readonly TestOutputLogger _clientLog = new();

    [Fact]
    public async Task KillMinus9_OfOneOfThreeUnderLoad_IdempotentCalls_NoneFails()
    {
        int[] ports = [FreePort.Next(), FreePort.Next(), FreePort.Next()];
        var masters = await Task.WhenAll(ports.Select(p => TunicornServer.StartAsync(TestServiceApp.Spec, p, 1, output: output)));
        await using var _ = new AsyncDisposables(masters);
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions
        {
            Servers = [.. ports.Select(p => $"127.0.0.1:{p}")],
            LoggerFactory = _clientLog,
        });
        await using var load = CallLoad.Start(client, Concurrency, options: new CallOptions { Timeout = TimeSpan.FromSeconds(5), Idempotent = true });
        await Eventually.WaitUntilAsync(() => load.Records.Count >= 600, TimeSpan.FromSeconds(30), "600 calls made");

        var victims = masters[0].WorkerPids().Append(masters[0].MasterPid).Select(pid => ProcessTable.Read(pid)!).ToList();
        long killed = Stopwatch.GetTimestamp();
        foreach (var victim in victims)
            Posix.Kill(victim.Pid, UnixSignal.Kill);
        await Eventually.WaitUntilAsync(() => victims.All(v => !ProcessTable.IsAlive(v.Pid, v.StartTime)), TimeSpan.FromSeconds(10),
            "the killed master and worker are gone");
        await Eventually.WaitUntilAsync(() => load.Records.Count(r => CallLoad.Elapsed(killed, r.Start) > TimeSpan.FromSeconds(1)) >= 600,
            TimeSpan.FromSeconds(30), "600 calls made a second after the kill");
        var records = await load.StopAsync();

        var failed = records.Where(r => r.Failed).ToList();
        int retried = _clientLog.Lines.Count(l => l.Contains(" 5009 ", StringComparison.Ordinal));
        output.WriteLine($"[test] {records.Count} calls, {retried} retried, {failed.Count} failed" +
            string.Concat(failed.Take(5).Select(f => $"; {f.Error!.GetType().Name}: {f.Error.Message}")));
        Assert.Empty(failed);
    }

    public void Dispose()
    {
        foreach (string line in _clientLog.Lines.TakeLast(60))
            output.WriteLine(line);
    }
}
