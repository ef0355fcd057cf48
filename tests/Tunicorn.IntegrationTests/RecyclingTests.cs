using System.Globalization;
using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>Issue 15.3: recycling by memory (max_worker_memory) is spawn-first, and the connections of the replaced worker move.</summary>
public sealed partial class RecyclingTests(ITestOutputHelper output)
{
    private const int LimitMiB = 200;
    private const int LeakStepMiB = 4;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task LeakingHandler_WithMaxWorkerMemory200_IsReplacedBeforeTwiceTheLimit_WithoutAFailedCall()
    {
        using var dir = new TestDirectory("recycle");
        string stopFile = dir.File("stop");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2,
            ["--max-worker-memory", LimitMiB.ToString(CultureInfo.InvariantCulture), "--graceful-timeout", "10"], output);
        await using var load = await PythonClient.StartAsync(PythonClient.LoadScript,
            [.. PythonClient.Tcp(port), .. PythonClient.Load(connections: 8, durationSeconds: 200, pauseMs: 20), "--stop-file", stopFile]);
        await load.WaitForReadyAsync(TimeSpan.FromSeconds(60));

        // One connection that leaks: each round asks its worker how much it holds, then makes it hold 4 MiB more.
        using var leaker = await ThriftClients.TestServiceAsync(port);
        var heldByPid = new Dictionary<int, int>();
        Match? replaced = null;
        int leakCalls = 0;
        using (var deadline = new CancellationTokenSource(Deadline))
        {
            while (replaced is null || !server.WorkerExits().Any(e => e.Pid == ReplacedPid(replaced)))
            {
                deadline.Token.ThrowIfCancellationRequested();
                int pid = await leaker.pid(deadline.Token);
                int held = await leaker.hoard(0, deadline.Token);
                held = await leaker.hoard(held + LeakStepMiB, deadline.Token);
                heldByPid[pid] = Math.Max(held, heldByPid.GetValueOrDefault(pid));
                leakCalls += 3;
                replaced ??= server.Log.Snapshot().Select(line => Replacement().Match(line)).FirstOrDefault(m => m.Success);
                await Task.Delay(200, deadline.Token); // paces the leak: about 20 MiB/s
            }
        }
        // The same connection goes on, served by another worker now.
        int servedAfter = await leaker.pid();
        await File.WriteAllTextAsync(stopFile, "");
        var result = await load.LoadResultAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"[test] load: {result}");
        output.WriteLine($"[test] leaker: {leakCalls} calls, held MiB by worker: {string.Join(", ", heldByPid.Select(p => $"{p.Key}={p.Value}"))}");
        output.WriteLine($"[test] {replaced.Value}");

        int oldPid = ReplacedPid(replaced);
        int measured = int.Parse(replaced.Groups["mib"].Value, CultureInfo.InvariantCulture);
        Assert.True(measured < 2 * LimitMiB, $"replaced at {measured} MiB");
        Assert.True(heldByPid[oldPid] < 2 * LimitMiB, $"the old worker came to hold {heldByPid[oldPid]} MiB of leaks before it retired");
        Assert.NotEqual(oldPid, servedAfter);
        ServerAssert.NoFailedCalls(result, "the persistent Python clients");
        Assert.Equal(8, result.Connects);
        ServerAssert.EveryReadCallAnswered(server);
    }

    private static int ReplacedPid(Match replaced) => int.Parse(replaced.Groups["pid"].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Replacing worker \(pid: (?<pid>\d+)\): private memory (?<mib>\d+) MiB over max_worker_memory")]
    private static partial Regex Replacement();
}
