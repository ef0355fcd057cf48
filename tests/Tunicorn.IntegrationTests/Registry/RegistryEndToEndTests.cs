using System.Diagnostics;
using System.Globalization;
using Tunicorn.Client;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// Acceptance 3 (and 4): Tunicorn masters on different loopback ports registered under one service, and a
/// TunicornClient that finds them through the registry. Each backend runs the same tests (EtcdEndToEndTests,
/// ZooKeeperEndToEndTests).
/// </summary>
public abstract class RegistryEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private const int Concurrency = 6;

    protected ITestOutputHelper Output { get; } = output;

    private protected abstract Task<IRegistryUnderTest> StartRegistryAsync();

    [Fact]
    public async Task RoundRobin_OverThreeMasters_EachGetsAFifth_AndALateFourthGetsCallsWithinASecondOfRegistering()
    {
        await using var registry = await StartRegistryAsync();
        string service = EtcdRegistrationTests.Service("rr");
        var masters = await StartMastersAsync(registry, service, 3);
        await using var _ = new AsyncDisposables(masters);
        await using var client = Client(registry, service);
        await WaitForServersAsync(client, 3);

        await using (var counted = CallLoad.Start(client, Concurrency, calls: 3000))
        {
            await counted.CompletionAsync();
            var records = counted.Records;
            Assert.Equal(3000, records.Count);
            Assert.DoesNotContain(records, r => r.Failed);
            var perMaster = CountPerMaster(records, masters);
            Output.WriteLine($"[test] calls per master: {string.Join(", ", perMaster)}");
            Assert.All(perMaster, count => Assert.True(count >= 600, $"a master got {count} of 3000 calls: {string.Join(", ", perMaster)}"));
        }

        var watch = await registry.WatchAsync(service);
        await using var load = CallLoad.Start(client, Concurrency);
        int port = FreePort.Next();
        await using var fourth = await StartMasterAsync(registry, service, port);
        int fourthWorker = fourth.WorkerPids().Single();
        var entry = new System.Text.RegularExpressions.Regex($"\"port\": ?{port}\\b");
        await Eventually.WaitUntilAsync(() => watch.Stdout.Snapshot().Any(entry.IsMatch),
            TimeSpan.FromSeconds(10), "the watcher saw the fourth master's entry", watch.DescribeOutput);
        long registered = Stopwatch.GetTimestamp();
        await Eventually.WaitUntilAsync(() => load.Records.Any(r => r.WorkerPid == fourthWorker), TimeSpan.FromSeconds(5),
            "a call reached the fourth master", fourth.Describe);
        var records2 = await load.StopAsync();

        // The call was sent to the fourth master right after it started (its answer may take longer: a new worker's
        // first call runs cold code).
        var first = records2.Where(r => r.WorkerPid == fourthWorker).MinBy(r => r.Start)!;
        var delay = CallLoad.Elapsed(registered, first.Start);
        Output.WriteLine($"[test] fourth master's first call sent {delay.TotalMilliseconds:0} ms and answered " +
            $"{CallLoad.Elapsed(registered, first.End).TotalMilliseconds:0} ms after its entry was seen");
        Assert.True(delay < TimeSpan.FromSeconds(1), $"the fourth master got its first call {delay.TotalMilliseconds:0} ms after registering");
        Assert.DoesNotContain(records2, r => r.Failed);
    }

    [Fact]
    public async Task TermOfOneUnderLoad_FailsNoCall_ThenKillMinus9OfAnother_FailsOnlyTheCallsInFlight()
    {
        await using var registry = await StartRegistryAsync();
        string service = EtcdRegistrationTests.Service("stop");
        var masters = await StartMastersAsync(registry, service, 3);
        await using var _ = new AsyncDisposables(masters);
        await using var client = Client(registry, service);
        await WaitForServersAsync(client, 3);
        await using var load = CallLoad.Start(client, Concurrency);
        await WaitForCallsAsync(load, 300);

        // TERM: deregistered first, so the client moves away before the worker drains.
        Assert.True(masters[0].Signal(UnixSignal.Term));
        Assert.Equal(0, await masters[0].WaitForExitAsync(TimeSpan.FromSeconds(20)));
        int afterTerm = load.Records.Count;
        await WaitForCallsAsync(load, afterTerm + 300);
        var termFailures = load.Records.Where(r => r.Failed).ToList();
        Assert.True(termFailures.Count == 0, $"{termFailures.Count} calls failed around TERM: {termFailures.FirstOrDefault()?.Error}");

        // kill -9 of a master and its workers: no deregistration; only calls on its connections at that moment fail.
        var victims = masters[1].WorkerPids().Append(masters[1].MasterPid).Select(pid => ProcessTable.Read(pid)!).ToList();
        long killed = Stopwatch.GetTimestamp();
        ClientLog.Log(Microsoft.Extensions.Logging.LogLevel.Information, 0, "[test] kill -9 of " + string.Join(", ", victims.Select(v => v.Pid)), null, (s, _) => s);
        foreach (var victim in victims)
            Posix.Kill(victim.Pid, UnixSignal.Kill);
        int atKill = load.Records.Count;
        // A process's sockets are closed before it turns zombie: from then on its server refuses connections.
        await Eventually.WaitUntilAsync(() => victims.All(v => !ProcessTable.IsAlive(v.Pid, v.StartTime)), TimeSpan.FromSeconds(10),
            "the killed master and worker are gone");
        long dead = Stopwatch.GetTimestamp();
        ClientLog.Log(Microsoft.Extensions.Logging.LogLevel.Information, 0, "[test] the killed processes are gone", null, (s, _) => s);
        await Eventually.WaitUntilAsync(() => load.Records.Count(r => CallLoad.Elapsed(killed, r.Start) > TimeSpan.FromMilliseconds(600)) >= 300,
            TimeSpan.FromSeconds(30), "300 calls made after the kill");
        var records = await load.StopAsync();

        var failed = records.Where(r => r.Failed).ToList();
        Output.WriteLine($"[test] {records.Count} calls; the killed processes were gone {CallLoad.Elapsed(killed, dead).TotalMilliseconds:0} ms " +
            $"after kill -9; {failed.Count} calls failed: " +
            string.Join("; ", failed.Select(f => $"started {CallLoad.Elapsed(killed, f.Start).TotalMilliseconds:0} ms after the kill: {f.Error!.GetType().Name}")));
        // In flight at that moment: calls the dying server had accepted, or that were written to its open connections
        // while it died. Its sockets close a little after the processes turn zombie (Linux closes an exiting task's
        // files from a work queue: resets were seen ~10-100 ms later), so "that moment" is a window; after it every
        // connection to the dead server is refused, calls fail over, and none may fail.
        var window = TimeSpan.FromMilliseconds(500);
        Assert.All(failed, f => Assert.True(CallLoad.Elapsed(killed, f.Start) < window,
            $"a call started {CallLoad.Elapsed(killed, f.Start).TotalMilliseconds:0} ms after the kill failed: {f.Error}"));
        Assert.True(records.Count(r => !r.Failed && CallLoad.Elapsed(killed, r.Start) > window) >= 300, "too few calls after the kill to tell");
        var survivors = masters[2].WorkerPids().Single();
        Assert.Contains(records.Skip(atKill + 300), r => r.WorkerPid == survivors);
    }

    public void Dispose()
    {
        foreach (string line in ClientLog.Lines.TakeLast(200))
            Output.WriteLine(line);
    }

    private protected async Task<TunicornServer[]> StartMastersAsync(IRegistryUnderTest registry, string service, int count,
        Func<int, IEnumerable<string>>? arguments = null) =>
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => StartMasterAsync(registry, service, FreePort.Next(), arguments?.Invoke(i))));

    private protected Task<TunicornServer> StartMasterAsync(IRegistryUnderTest registry, string service, int port, IEnumerable<string>? arguments = null) =>
        TunicornServer.StartAsync(TestServiceApp.Spec, port, 1,
            ["--graceful-timeout", "10", "--service-register-cls", registry.Cls, "--service-register-conf", registry.Conf(service), .. arguments ?? []],
            Output);

    private protected TunicornClient<testapp.TestService.Client> Client(IRegistryUnderTest registry, string service) =>
        new(new TunicornClientOptions { Discovery = registry.Discovery(service), CallTimeout = TimeSpan.FromSeconds(10), LoggerFactory = ClientLog });

    /// <summary>The client's log, printed when the test ends.</summary>
    private protected TestOutputLogger ClientLog { get; } = new();

    private protected static Task WaitForServersAsync<T>(TunicornClient<T> client, int count)
        where T : global::Thrift.TBaseClient =>
        Eventually.WaitUntilAsync(async () =>
        {
            await client.StartAsync();
            return client.Servers.Count == count;
        }, TimeSpan.FromSeconds(15), $"the client sees {count} servers", () => "now: " + string.Join(", ", client.Servers));

    private static Task WaitForCallsAsync(CallLoad load, int count) =>
        Eventually.WaitUntilAsync(() => load.Records.Count >= count, TimeSpan.FromSeconds(30), $"{count} calls made",
            () => $"{load.Records.Count} calls, {load.Records.Count(r => r.Failed)} failed: {load.Records.LastOrDefault(r => r.Failed)?.Error}");

    private static int[] CountPerMaster(IReadOnlyList<CallRecord> records, IReadOnlyList<TunicornServer> masters)
    {
        var workerToMaster = new Dictionary<int, int>();
        for (int i = 0; i < masters.Count; i++)
        {
            foreach (int worker in masters[i].WorkerPids())
                workerToMaster[worker] = i;
        }
        var counts = new int[masters.Count];
        foreach (var record in records)
        {
            if (record.WorkerPid is int pid)
                counts[workerToMaster.TryGetValue(pid, out int master) ? master : throw new InvalidOperationException($"pid {pid.ToString(CultureInfo.InvariantCulture)} is no known worker")]++;
        }
        return counts;
    }
}
