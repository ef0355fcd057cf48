using System.Globalization;
using Tunicorn.IntegrationTests.Harness;
using Xunit;

namespace Tunicorn.IntegrationTests.Conformance;

/// <summary>
/// The ThriftTest server of one worker class for the hostile-input tests, with a well-behaved client calling it
/// throughout: binary protocol, transport auto (so framed and buffered inputs reach the same server), frame and
/// message limits of 1 MiB, thrift_client_timeout 2 s, 2 workers with 2 connections each (worker_connections for
/// async, threads for threaded), debug log (idle closes and client hang-ups are logged at debug).
/// </summary>
public abstract class HostileInputServer : IAsyncLifetime
{
    public const int Limit = 1024 * 1024;
    public const int ConnectionsPerWorker = 2;
    public const int Workers = 2;

    /// <summary>How much a worker's resident memory may grow over the whole run: far below one message at the default limits.</summary>
    public const long MaxRssGrowth = 64L * 1024 * 1024;

    private IReadOnlyList<int> _workers = [];
    private IReadOnlyDictionary<int, long> _baselineRss = new Dictionary<int, long>();

    public abstract string WorkerClass { get; }

    internal TunicornServer Server { get; private set; } = null!;

    internal int Port { get; private set; }

    internal WellBehavedClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Port = FreePort.Next();
        string limit = Limit.ToString(CultureInfo.InvariantCulture);
        Server = await TunicornServer.StartAsync(ThriftTestPython.ThriftTestApp, Port, Workers,
        [
            "-k", WorkerClass, "--threads", $"{ConnectionsPerWorker}", "--worker-connections", $"{ConnectionsPerWorker}",
            "--thrift-protocol-factory", "binary", "--thrift-transport-factory", "auto",
            "--thrift-max-frame-size", limit, "--thrift-max-message-size", limit, "--thrift-client-timeout", "2",
            "--log-level", "debug",
        ]);
        Client = WellBehavedClient.Start(Port, Server.Log);
        // Up and answering before the baseline is taken, so that warm-up does not count as growth.
        await Client.AssertServedAsync(TimeSpan.FromSeconds(20), Server.Describe);
        _workers = Server.WorkerPids();
        _baselineRss = _workers.ToDictionary(pid => pid, ResidentBytes);
    }

    /// <summary>VmRSS of a process, from /proc.</summary>
    private static long ResidentBytes(int pid)
    {
        string line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>The workers are the ones that booted first (same pids, none restarted), their memory stayed bounded,
    /// nothing was logged at error level, and the well-behaved client is still answered right.</summary>
    internal async Task AssertHealthyAsync()
    {
        Assert.Equal(_workers.Order(), Server.WorkerPids().Order());
        Assert.True(Server.BootingPids().Count == Workers, $"a worker was restarted{Environment.NewLine}{Server.Describe()}");
        Assert.Empty(Server.WorkerExits());
        foreach (var (pid, baseline) in _baselineRss)
        {
            long now = ResidentBytes(pid);
            Assert.True(now - baseline < MaxRssGrowth, $"worker {pid} grew from {baseline / 1024} KiB to {now / 1024} KiB");
        }
        var errors = Server.Log.Snapshot().Where(line => LogPatterns.ErrorLevel.IsMatch(line)).ToList();
        Assert.True(errors.Count == 0, $"errors logged:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        await Client.AssertServedAsync(TimeSpan.FromSeconds(15), Server.Describe);
    }

    public async Task DisposeAsync()
    {
        if (Client is not null)
            await Client.DisposeAsync();
        if (Server is not null)
            await Server.DisposeAsync();
    }
}
