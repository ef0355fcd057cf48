using System.Text;
using Microsoft.Extensions.Logging;
using Tunicorn.ZooKeeper.Tests.Harness;
using Xunit.Abstractions;

namespace Tunicorn.ZooKeeper.Tests;

/// <summary>Failover and expiry against a real three-server ensemble on loopback.</summary>
public sealed class EnsembleTests : IClassFixture<EnsembleFixture>, IAsyncLifetime
{
    /// <summary>Room for a leader election after a kill: ZooKeeper keeps the session while the client reconnects within it.</summary>
    private static readonly TimeSpan FailoverSessionTimeout = TimeSpan.FromSeconds(8);

    /// <summary>Short, since the expiry test waits it out twice (client side, then server side after the restart).</summary>
    private static readonly TimeSpan ExpirySessionTimeout = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly EnsembleFixture _fixture;
    private readonly ILoggerFactory _logging;
    private readonly List<ZooKeeperClient> _clients = [];

    public EnsembleTests(EnsembleFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _logging = TestOutputLogger.Factory(output);
    }

    private ZooKeeperEnsemble Ensemble => _fixture.Ensemble;

    /// <summary>Each test starts with every server serving, whatever the test before it killed.</summary>
    public Task InitializeAsync() => Ensemble.EnsureAllServingAsync();

    public async Task DisposeAsync()
    {
        foreach (ZooKeeperClient client in _clients)
            await client.DisposeAsync();
        _logging.Dispose();
    }

    [Theory]
    [InlineData("follower")]
    [InlineData("leader")]
    public async Task ConnectedServerDies_ClientMovesToAnother_SessionEphemeralAndWatchSurvive(string role)
    {
        // Losing the leader also makes the other servers drop their clients until they have elected a new one.
        ZooKeeperServer victim = await Ensemble.ServerInModeAsync(role);
        (ZooKeeperClient zk, StateRecorder states) = await ConnectRecordingAsync(Ensemble.ConnectString, FailoverSessionTimeout, ShuffleWithFirst(victim));
        Assert.Equal(victim.Address, zk.ConnectedServer);
        long sessionId = zk.SessionId;
        string path = await zk.CreateAsync($"/member-{Guid.NewGuid():N}", Bytes("up"), ZooKeeperAcls.OpenUnsafe, ZooKeeperCreateMode.Ephemeral);
        var watch = new WatchProbe();
        await zk.GetDataAsync(path, watch.Watcher);

        ZooKeeperClient observer = await ConnectAsync(Ensemble.ConnectStringWithout(victim), FailoverSessionTimeout);
        await victim.KillAsync();

        await states.WaitForAsync(ZooKeeperState.Connected, Deadline);
        Assert.Equal([ZooKeeperState.Disconnected, ZooKeeperState.Connected], states.Seen);
        Assert.Equal(sessionId, zk.SessionId);
        Assert.NotEqual(victim.Address, zk.ConnectedServer);

        // Seen from another client (which may itself be reconnecting if the victim led the ensemble).
        ZooKeeperStat? stat = await RetryOnConnectionLossAsync(() => observer.ExistsAsync(path));
        Assert.NotNull(stat);
        Assert.Equal(sessionId, stat.EphemeralOwner);

        // The watch was set on the dead server; the new one only knows it from SetWatches after the reconnect.
        await RetryOnConnectionLossAsync(() => observer.SetDataAsync(path, Bytes("changed")));
        Assert.Equal(ZooKeeperEventType.NodeDataChanged, (await watch.WaitAsync(Deadline)).Type);
        Assert.Equal("changed", Text((await zk.GetDataAsync(path)).Data));
    }

    [Fact]
    public async Task EnsembleDownPastSessionTimeout_ClientReportsExpired_AndEphemeralNodeIsGone()
    {
        (ZooKeeperClient zk, StateRecorder states) = await ConnectRecordingAsync(Ensemble.ConnectString, ExpirySessionTimeout);
        string path = await zk.CreateAsync($"/lease-{Guid.NewGuid():N}", Bytes("mine"), ZooKeeperAcls.OpenUnsafe, ZooKeeperCreateMode.Ephemeral);
        var watch = new WatchProbe();
        await zk.ExistsAsync(path, watch.Watcher);

        await Ensemble.KillAllAsync();

        await states.WaitForAsync(ZooKeeperState.Expired, Deadline);
        Assert.Equal([ZooKeeperState.Disconnected, ZooKeeperState.Expired], states.Seen);
        Assert.Equal(new ZooKeeperWatchEvent(ZooKeeperEventType.None, ZooKeeperState.Expired, path), await watch.WaitAsync(Deadline));
        var expired = await Assert.ThrowsAsync<ZooKeeperException>(() => zk.GetDataAsync(path));
        Assert.Equal(ZooKeeperErrorCode.SessionExpired, expired.Code);

        // Restarted on their data, the servers know the session again and expire it one timeout later,
        // as nobody resumes it: that deletes the node.
        await Ensemble.EnsureAllServingAsync();
        ZooKeeperClient observer = await ConnectAsync(Ensemble.ConnectString, FailoverSessionTimeout);
        var deleted = new WatchProbe();
        if (await observer.ExistsAsync(path, deleted.Watcher) is not null)
            Assert.Equal(ZooKeeperEventType.NodeDeleted, (await deleted.WaitAsync(Deadline)).Type);
        Assert.Null(await observer.ExistsAsync(path));
    }

    private async Task<ZooKeeperClient> ConnectAsync(string connectString, TimeSpan sessionTimeout) =>
        (await ConnectRecordingAsync(connectString, sessionTimeout)).Client;

    /// <summary>A connected client, and the recorder of its state changes after connecting.</summary>
    private async Task<(ZooKeeperClient Client, StateRecorder States)> ConnectRecordingAsync(string connectString, TimeSpan sessionTimeout,
        Random? shuffle = null)
    {
        var client = new ZooKeeperClient(new ZooKeeperClientOptions
        {
            ConnectString = connectString,
            SessionTimeout = sessionTimeout,
            LoggerFactory = _logging,
            Random = shuffle,
        });
        _clients.Add(client);
        var states = new StateRecorder(client);
        using var deadline = new CancellationTokenSource(Deadline);
        await client.ConnectAsync(deadline.Token);
        await states.SkipInitialConnectAsync(Deadline);
        return (client, states);
    }

    /// <summary>
    /// A seeded random source under which the client's one shuffle of the connect string puts <paramref name="first"/>
    /// first, so that the client connects to it (the test checks that it did).
    /// </summary>
    private Random ShuffleWithFirst(ZooKeeperServer first)
    {
        for (int seed = 0; ; seed++)
        {
            string[] order = [.. Ensemble.Servers.Select(server => server.Address)];
            new Random(seed).Shuffle(order);
            if (order[0] == first.Address)
                return new Random(seed);
        }
    }

    /// <summary>ConnectionLoss means "unknown outcome, try again": these reads and writes are safe to repeat.</summary>
    private static async Task<T> RetryOnConnectionLossAsync<T>(Func<Task<T>> operation)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (true)
        {
            try
            {
                return await operation().WaitAsync(deadline.Token);
            }
            catch (ZooKeeperException e) when (e.Code == ZooKeeperErrorCode.ConnectionLoss && !deadline.IsCancellationRequested)
            {
                // The client is already reconnecting; the next call waits for it.
            }
        }
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] data) => Encoding.UTF8.GetString(data);
}
