using System.Text;

namespace Tunicorn.ZooKeeper.Tests.Harness;

/// <summary>
/// Real ZooKeeper servers on loopback: one standalone server, or an ensemble of several, each on free ports with
/// its data in a temporary directory that is deleted at the end. The JVMs start once per fixture; a test that
/// kills some brings them back with <see cref="EnsureAllServingAsync"/>.
/// </summary>
internal sealed class ZooKeeperEnsemble : IAsyncDisposable
{
    /// <summary>
    /// A short tick makes sessions short: ZooKeeper grants session timeouts between 2 and (here) 100 ticks, so the
    /// tests can ask for anything from 0.4 s to 20 s.
    /// </summary>
    public const int TickTimeMs = 200;

    /// <summary>JVM start, and for an ensemble the leader election, on a busy two-core machine.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string _root;

    private ZooKeeperEnsemble(string root, IReadOnlyList<ZooKeeperServer> servers)
    {
        _root = root;
        Servers = servers;
    }

    public IReadOnlyList<ZooKeeperServer> Servers { get; }

    /// <summary>Every server, e.g. <c>127.0.0.1:12001,127.0.0.1:12002,127.0.0.1:12003</c>.</summary>
    public string ConnectString => string.Join(',', Servers.Select(server => server.Address));

    public static async Task<ZooKeeperEnsemble> StartAsync(int size)
    {
        string root = Path.Combine(Path.GetTempPath(), $"tunicorn-zk-{Guid.NewGuid():N}");
        var servers = new List<ZooKeeperServer>();
        var quorum = new StringBuilder();
        for (int id = 1; id <= size; id++)
        {
            servers.Add(new ZooKeeperServer(id, FreePortRange.ZooKeeperTests.Next(), Path.Combine(root, $"server{id}")));
            if (size > 1)
                quorum.AppendLine($"server.{id}=127.0.0.1:{FreePortRange.ZooKeeperTests.Next()}:{FreePortRange.ZooKeeperTests.Next()}");
        }
        foreach (ZooKeeperServer server in servers)
            server.WriteConfig(Config(server, quorum.ToString()));

        var ensemble = new ZooKeeperEnsemble(root, servers);
        try
        {
            await ensemble.EnsureAllServingAsync();
        }
        catch
        {
            await ensemble.DisposeAsync();
            throw;
        }
        return ensemble;
    }

    /// <summary>Every server but <paramref name="excluded"/>.</summary>
    public string ConnectStringWithout(ZooKeeperServer excluded) =>
        string.Join(',', Servers.Where(server => server != excluded).Select(server => server.Address));

    /// <summary>The server a client reports as <see cref="ZooKeeperClient.ConnectedServer"/>.</summary>
    public ZooKeeperServer ServerAt(string? address) =>
        Servers.SingleOrDefault(server => server.Address == address)
        ?? throw new InvalidOperationException($"no server of this ensemble listens at '{address}'");

    /// <summary>Starts the servers that are not running, then waits until every one serves.</summary>
    public async Task EnsureAllServingAsync()
    {
        foreach (ZooKeeperServer server in Servers.Where(server => !server.IsRunning))
            server.Start();
        await Task.WhenAll(Servers.Select(server => server.WaitServingAsync(StartTimeout)));
    }

    /// <summary>The server that reports <paramref name="mode"/> ("leader", "follower", "standalone").</summary>
    public async Task<ZooKeeperServer> ServerInModeAsync(string mode)
    {
        foreach (ZooKeeperServer server in Servers)
        {
            if (await server.WaitServingAsync(StartTimeout) == mode)
                return server;
        }
        throw new InvalidOperationException($"no server of the ensemble is {mode}{Environment.NewLine}{Diagnostics()}");
    }

    public async Task KillAllAsync() => await Task.WhenAll(Servers.Select(server => server.KillAsync()));

    public string Diagnostics() => string.Concat(Servers.Select(server => server.Diagnostics()));

    public async ValueTask DisposeAsync()
    {
        await KillAllAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is not worth failing the run for.
        }
    }

    private static string Config(ZooKeeperServer server, string quorum) =>
        $"""
        tickTime={TickTimeMs}
        initLimit=20
        syncLimit=10
        maxSessionTimeout={100 * TickTimeMs}
        dataDir={server.DataDirectory}
        clientPort={server.ClientPort}
        clientPortAddress=127.0.0.1
        admin.enableServer=false
        4lw.commands.whitelist=*
        # Test data is thrown away: no fsync, and no 64 MB preallocated transaction log per server.
        forceSync=no
        preAllocSize=1024
        {quorum}
        """;
}
