using Tunicorn.IntegrationTests.Harness;
using Xunit.Abstractions;
using ZooKeeperProcess = Tunicorn.TestSupport.ZooKeeperServer;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// A real standalone ZooKeeper (Debian's zookeeper 3.8) on a free loopback port with its data in a temp directory,
/// started by the test and stopped by pid: the launcher shared with Tunicorn.ZooKeeper.Tests
/// (<see cref="ZooKeeperProcess"/>), given a standalone config. A 200 ms tick allows sessions from 0.4 s to 20 s.
/// </summary>
internal sealed class ZooKeeperServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly TestDirectory _directory;
    private readonly ITestOutputHelper? _output;
    private ZooKeeperProcess? _server;
    private int _generation;

    private ZooKeeperServer(ITestOutputHelper? output)
    {
        _output = output;
        _directory = new TestDirectory("zk");
        Port = FreePort.Next();
    }

    public int Port { get; }

    /// <summary>The connect string (service_register_conf hosts).</summary>
    public string Address => $"127.0.0.1:{Port}";

    public static async Task<ZooKeeperServer> CreateAsync(ITestOutputHelper? output, bool start = true)
    {
        var server = new ZooKeeperServer(output);
        if (start)
            await server.StartAsync();
        return server;
    }

    /// <summary>Starts the server; with <paramref name="freshData"/>, on an empty data directory (every session and node lost).</summary>
    public async Task StartAsync(bool freshData = false)
    {
        if (_server is { IsRunning: true })
            throw new InvalidOperationException("ZooKeeper already runs");
        if (_server is null || freshData)
        {
            if (_server is not null)
                _generation++;
            // A server directory per generation: a fresh one has an empty data directory, on the same client port.
            _server = new ZooKeeperProcess(1, Port, _directory.File($"server{_generation}"));
            _server.WriteConfig($"""
                tickTime=200
                maxSessionTimeout=20000
                dataDir={_server.DataDirectory}
                clientPort={Port}
                clientPortAddress=127.0.0.1
                admin.enableServer=false
                4lw.commands.whitelist=srvr
                forceSync=no
                preAllocSize=1024
                """);
        }
        _server.Start();
        await _server.WaitServingAsync(StartTimeout);
    }

    /// <summary>kill -9 of ZooKeeper, by pid; waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (_server is not null)
            await _server.KillAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        if (_output is not null && _server is not null)
        {
            foreach (string line in _server.Diagnostics().Split('\n', StringSplitOptions.RemoveEmptyEntries))
                _output.WriteLine("[zookeeper] " + line.TrimEnd('\r'));
        }
        _directory.Dispose();
    }
}
