using System.Text;
using Microsoft.Extensions.Logging;
using Tunicorn.ZooKeeper.Tests.Harness;
using Xunit.Abstractions;

namespace Tunicorn.ZooKeeper.Tests;

/// <summary>Every operation against one real standalone ZooKeeper server.</summary>
public sealed class SingleServerTests : IClassFixture<SingleServerFixture>, IAsyncLifetime
{
    /// <summary>Generous: these only bound waits for events that normally come within milliseconds.</summary>
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(10);

    private readonly SingleServerFixture _fixture;
    private readonly ILoggerFactory _logging;
    private readonly List<ZooKeeperClient> _clients = [];

    public SingleServerTests(SingleServerFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _logging = TestOutputLogger.Factory(output);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (ZooKeeperClient client in _clients)
            await client.DisposeAsync();
        _logging.Dispose();
    }

    [Fact]
    public async Task CreateGetSetDelete_FollowNodeVersions()
    {
        ZooKeeperClient zk = await ConnectAsync();
        string path = Unique("/versions");

        Assert.Equal(path, await zk.CreateAsync(path, Bytes("one"), ZooKeeperAcls.OpenUnsafe));
        ZooKeeperData read = await zk.GetDataAsync(path);
        Assert.Equal("one", Text(read.Data));
        Assert.Equal(0, read.Stat.Version);
        Assert.Equal(3, read.Stat.DataLength);
        Assert.False(read.Stat.IsEphemeral);

        ZooKeeperStat changed = await zk.SetDataAsync(path, Bytes("two"), version: 0);
        Assert.Equal(1, changed.Version);
        Assert.True(changed.Mzxid > read.Stat.Mzxid);

        var stale = await Assert.ThrowsAsync<ZooKeeperException>(() => zk.SetDataAsync(path, Bytes("three"), version: 0));
        Assert.Equal(ZooKeeperErrorCode.BadVersion, stale.Code);
        Assert.Equal(path, stale.Path);
        Assert.Equal(2, (await zk.SetDataAsync(path, Bytes("three"), version: -1)).Version);

        var staleDelete = await Assert.ThrowsAsync<ZooKeeperException>(() => zk.DeleteAsync(path, version: 1));
        Assert.Equal(ZooKeeperErrorCode.BadVersion, staleDelete.Code);
        Assert.Equal("three", Text((await zk.GetDataAsync(path)).Data));

        await zk.SyncAsync(path);
        await zk.DeleteAsync(path, version: 2);
        Assert.Null(await zk.ExistsAsync(path));
    }

    [Fact]
    public async Task Errors_CarryZooKeeperCodes()
    {
        ZooKeeperClient zk = await ConnectAsync();
        string parent = Unique("/errors");
        await zk.CreateAsync(parent, Bytes("p"), ZooKeeperAcls.OpenUnsafe);
        await zk.CreateAsync($"{parent}/child", ReadOnlyMemory<byte>.Empty, ZooKeeperAcls.OpenUnsafe);

        await AssertCodeAsync(ZooKeeperErrorCode.NodeExists, () => zk.CreateAsync(parent, Bytes("again"), ZooKeeperAcls.OpenUnsafe));
        await AssertCodeAsync(ZooKeeperErrorCode.NoNode, () => zk.GetDataAsync($"{parent}/missing"));
        await AssertCodeAsync(ZooKeeperErrorCode.NoNode, () => zk.SetDataAsync($"{parent}/missing", Bytes("x")));
        await AssertCodeAsync(ZooKeeperErrorCode.NoNode, () => zk.DeleteAsync($"{parent}/missing"));
        await AssertCodeAsync(ZooKeeperErrorCode.NoNode, () => zk.GetChildrenAsync($"{parent}/missing"));
        await AssertCodeAsync(ZooKeeperErrorCode.NoNode, () => zk.CreateAsync($"{parent}/no/parent", Bytes("x"), ZooKeeperAcls.OpenUnsafe));
        await AssertCodeAsync(ZooKeeperErrorCode.NotEmpty, () => zk.DeleteAsync(parent));

        string ephemeral = await zk.CreateAsync($"{parent}/ephemeral", Bytes("e"), ZooKeeperAcls.OpenUnsafe, ZooKeeperCreateMode.Ephemeral);
        await AssertCodeAsync(ZooKeeperErrorCode.NoChildrenForEphemerals,
            () => zk.CreateAsync($"{ephemeral}/child", Bytes("x"), ZooKeeperAcls.OpenUnsafe));
        await AssertCodeAsync(ZooKeeperErrorCode.InvalidAcl, () => zk.CreateAsync($"{parent}/no-acl", Bytes("x"), []));

        await Assert.ThrowsAsync<ArgumentException>(() => zk.GetDataAsync("relative/path"));
        await Assert.ThrowsAsync<ArgumentException>(() => zk.GetDataAsync($"{parent}/"));
    }

    [Fact]
    public async Task SequentialNodes_GetIncreasingTenDigitCounters()
    {
        ZooKeeperClient zk = await ConnectAsync();
        string parent = await zk.CreateAsync(Unique("/sequence"), ReadOnlyMemory<byte>.Empty, ZooKeeperAcls.OpenUnsafe);

        string first = await zk.CreateAsync($"{parent}/item-", Bytes("a"), ZooKeeperAcls.OpenUnsafe, ZooKeeperCreateMode.PersistentSequential);
        string second = await zk.CreateAsync($"{parent}/item-", Bytes("b"), ZooKeeperAcls.OpenUnsafe, ZooKeeperCreateMode.PersistentSequential);
        string member = await zk.CreateAsync($"{parent}/member-", Bytes("c"), ZooKeeperAcls.OpenUnsafe, ZooKeeperCreateMode.EphemeralSequential);
        // A path ending in '/' makes the counter the whole name.
        string bare = await zk.CreateAsync($"{parent}/", Bytes("d"), ZooKeeperAcls.OpenUnsafe, ZooKeeperCreateMode.PersistentSequential);

        Assert.Equal($"{parent}/item-0000000000", first);
        Assert.Equal($"{parent}/item-0000000001", second);
        Assert.Equal($"{parent}/member-0000000002", member);
        Assert.Equal($"{parent}/0000000003", bare);
        Assert.Equal(zk.SessionId, (await zk.ExistsAsync(member))!.EphemeralOwner);

        ZooKeeperChildren children = await zk.GetChildrenAsync(parent);
        Assert.Equal(["0000000003", "item-0000000000", "item-0000000001", "member-0000000002"], children.Children.Order(StringComparer.Ordinal));
        Assert.Equal(4, children.Stat.NumChildren);
    }

    [Fact]
    public async Task DataWatch_FiresOnceOnChange_AndMustBeRearmed()
    {
        ZooKeeperClient zk = await ConnectAsync();
        ZooKeeperClient other = await ConnectAsync();
        string path = await zk.CreateAsync(Unique("/watched"), Bytes("v0"), ZooKeeperAcls.OpenUnsafe);

        var first = new WatchProbe();
        await zk.GetDataAsync(path, first.Watcher);
        await other.SetDataAsync(path, Bytes("v1"));
        ZooKeeperWatchEvent fired = await first.WaitAsync(EventTimeout);
        Assert.Equal(new ZooKeeperWatchEvent(ZooKeeperEventType.NodeDataChanged, ZooKeeperState.Connected, path), fired);

        // One-shot: the next change reaches only a watcher set after the first event. Events are delivered in
        // order, so once the new watcher has heard the third change, a second call of the old one would have come.
        await other.SetDataAsync(path, Bytes("v2"));
        var second = new WatchProbe();
        Assert.Equal("v2", Text((await zk.GetDataAsync(path, second.Watcher)).Data));
        await other.SetDataAsync(path, Bytes("v3"));
        await second.WaitAsync(EventTimeout);
        Assert.Single(first.Events);
        Assert.Single(second.Events);
    }

    [Fact]
    public async Task ChildWatch_FiresWhenAChildIsAdded()
    {
        ZooKeeperClient zk = await ConnectAsync();
        ZooKeeperClient other = await ConnectAsync();
        string parent = await zk.CreateAsync(Unique("/parent"), ReadOnlyMemory<byte>.Empty, ZooKeeperAcls.OpenUnsafe);

        var probe = new WatchProbe();
        Assert.Empty((await zk.GetChildrenAsync(parent, probe.Watcher)).Children);
        await other.CreateAsync($"{parent}/kid", Bytes("k"), ZooKeeperAcls.OpenUnsafe, ZooKeeperCreateMode.Ephemeral);

        ZooKeeperWatchEvent fired = await probe.WaitAsync(EventTimeout);
        Assert.Equal(ZooKeeperEventType.NodeChildrenChanged, fired.Type);
        Assert.Equal(parent, fired.Path);
        Assert.Equal(["kid"], (await zk.GetChildrenAsync(parent)).Children);
    }

    [Fact]
    public async Task DataWatch_FiresWhenTheNodeIsDeleted()
    {
        ZooKeeperClient zk = await ConnectAsync();
        ZooKeeperClient other = await ConnectAsync();
        string path = await zk.CreateAsync(Unique("/doomed"), Bytes("x"), ZooKeeperAcls.OpenUnsafe);

        var data = new WatchProbe();
        var exists = new WatchProbe();
        await zk.GetDataAsync(path, data.Watcher);
        Assert.NotNull(await zk.ExistsAsync(path, exists.Watcher));
        await other.DeleteAsync(path);

        Assert.Equal(ZooKeeperEventType.NodeDeleted, (await data.WaitAsync(EventTimeout)).Type);
        Assert.Equal(ZooKeeperEventType.NodeDeleted, (await exists.WaitAsync(EventTimeout)).Type);
    }

    [Fact]
    public async Task ExistsWatch_FiresWhenTheNodeIsCreated()
    {
        ZooKeeperClient zk = await ConnectAsync();
        ZooKeeperClient other = await ConnectAsync();
        string path = Unique("/not-yet");

        var probe = new WatchProbe();
        Assert.Null(await zk.ExistsAsync(path, probe.Watcher));
        await other.CreateAsync(path, Bytes("here"), ZooKeeperAcls.OpenUnsafe);

        Assert.Equal(new ZooKeeperWatchEvent(ZooKeeperEventType.NodeCreated, ZooKeeperState.Connected, path), await probe.WaitAsync(EventTimeout));
        Assert.Equal("here", Text((await zk.GetDataAsync(path)).Data));
    }

    [Fact]
    public async Task DigestAuth_CreatorAllNode_IsClosedToEveryoneElse()
    {
        ZooKeeperClient alice = await ConnectAsync();
        await alice.AddDigestAuthAsync("alice", "s3cret");
        string path = await alice.CreateAsync(Unique("/private"), Bytes("alice's"), ZooKeeperAcls.CreatorAll);

        // The server turned "auth" into the digest identity it computed; ours must be the same string.
        ZooKeeperAcl entry = Assert.Single(await alice.GetAclAsync(path));
        Assert.Equal(ZooKeeperAcls.Digest("alice", "s3cret", ZooKeeperPermissions.All), entry);
        Assert.Equal("alice's", Text((await alice.GetDataAsync(path)).Data));

        ZooKeeperClient anonymous = await ConnectAsync();
        await AssertCodeAsync(ZooKeeperErrorCode.NoAuth, () => anonymous.GetDataAsync(path));
        await AssertCodeAsync(ZooKeeperErrorCode.NoAuth, () => anonymous.SetDataAsync(path, Bytes("mine")));
        // (Deleting it is not refused: ZooKeeper checks a delete against the parent's ACL, here open.)
        await AssertCodeAsync(ZooKeeperErrorCode.NoAuth, () => anonymous.CreateAsync($"{path}/child", Bytes("x"), ZooKeeperAcls.OpenUnsafe));
        await AssertCodeAsync(ZooKeeperErrorCode.InvalidAcl, () => anonymous.CreateAsync(Unique("/creator"), Bytes("x"), ZooKeeperAcls.CreatorAll));

        ZooKeeperClient impostor = await ConnectAsync();
        await impostor.AddDigestAuthAsync("alice", "guess");
        await AssertCodeAsync(ZooKeeperErrorCode.NoAuth, () => impostor.GetDataAsync(path));

        ZooKeeperClient aliceAgain = await ConnectAsync();
        await aliceAgain.AddDigestAuthAsync("alice", "s3cret");
        await aliceAgain.SetDataAsync(path, Bytes("still alice's"));

        // A read-only node: anyone reads, nobody writes.
        string readOnly = await alice.CreateAsync(Unique("/read-only"), Bytes("fixed"), ZooKeeperAcls.ReadUnsafe);
        Assert.Equal("fixed", Text((await anonymous.GetDataAsync(readOnly)).Data));
        await AssertCodeAsync(ZooKeeperErrorCode.NoAuth, () => alice.SetDataAsync(readOnly, Bytes("changed")));
    }

    [Fact]
    public async Task Chroot_MakesPathsRelativeToIt()
    {
        ZooKeeperClient root = await ConnectAsync();
        string chroot = await root.CreateAsync(Unique("/app"), ReadOnlyMemory<byte>.Empty, ZooKeeperAcls.OpenUnsafe);

        ZooKeeperClient app = await ConnectAsync(_fixture.Ensemble.ConnectString + chroot);
        Assert.Equal("/service", await app.CreateAsync("/service", Bytes("s"), ZooKeeperAcls.OpenUnsafe));
        Assert.Equal("/service/member-0000000000",
            await app.CreateAsync("/service/member-", Bytes("m"), ZooKeeperAcls.OpenUnsafe, ZooKeeperCreateMode.EphemeralSequential));
        Assert.Equal("s", Text((await root.GetDataAsync($"{chroot}/service")).Data));
        Assert.Equal(["service"], (await app.GetChildrenAsync("/")).Children);

        var probe = new WatchProbe();
        await app.GetChildrenAsync("/service", probe.Watcher);
        await root.CreateAsync($"{chroot}/service/other", Bytes("o"), ZooKeeperAcls.OpenUnsafe);
        Assert.Equal(new ZooKeeperWatchEvent(ZooKeeperEventType.NodeChildrenChanged, ZooKeeperState.Connected, "/service"), await probe.WaitAsync(EventTimeout));
    }

    [Fact]
    public async Task Close_DeletesEphemeralNodesAtOnce_AndEndsTheClient()
    {
        (ZooKeeperClient owner, StateRecorder states) = await ConnectRecordingAsync();
        ZooKeeperClient observer = await ConnectAsync();
        string path = await owner.CreateAsync(Unique("/ephemeral"), Bytes("alive"), ZooKeeperAcls.OpenUnsafe, ZooKeeperCreateMode.Ephemeral);
        Assert.Equal(owner.SessionId, (await observer.ExistsAsync(path))!.EphemeralOwner);
        var ownNode = new WatchProbe();
        await owner.GetDataAsync(path, ownNode.Watcher);
        string elsewhere = Unique("/never-created");
        var pending = new WatchProbe();
        Assert.Null(await owner.ExistsAsync(elsewhere, pending.Watcher));

        await owner.CloseAsync();

        // The server deleted the node while closing the session, before it answered: no session timeout to wait for.
        Assert.Null(await observer.ExistsAsync(path));
        Assert.Equal(ZooKeeperEventType.NodeDeleted, (await ownNode.WaitAsync(EventTimeout)).Type);
        Assert.Equal(ZooKeeperState.Closed, owner.State);
        await states.WaitForAsync(ZooKeeperState.Closed, EventTimeout);
        // A watch that can no longer fire says so, rather than leave its owner waiting.
        Assert.Equal(new ZooKeeperWatchEvent(ZooKeeperEventType.None, ZooKeeperState.Closed, elsewhere), await pending.WaitAsync(EventTimeout));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => owner.GetDataAsync(path));
    }

    [Fact]
    public async Task ResumingAnUnknownSession_ReportsExpired()
    {
        var client = new ZooKeeperClient(new ZooKeeperClientOptions
        {
            ConnectString = _fixture.Ensemble.ConnectString,
            SessionTimeout = TimeSpan.FromSeconds(4),
            SessionId = 0x1234_5678_9abc,
            SessionPassword = new byte[16],
            LoggerFactory = _logging,
        });
        _clients.Add(client);
        var states = new StateRecorder(client);

        var expired = await Assert.ThrowsAsync<ZooKeeperException>(() => client.ConnectAsync());

        Assert.Equal(ZooKeeperErrorCode.SessionExpired, expired.Code);
        Assert.Equal(ZooKeeperState.Expired, client.State);
        await states.WaitForAsync(ZooKeeperState.Expired, EventTimeout);
        await AssertCodeAsync(ZooKeeperErrorCode.SessionExpired, () => client.ExistsAsync("/"));
    }

    [Fact]
    public async Task ServerStopsAnswering_PendingRequestFailsWithConnectionLoss_AndTheSessionResumes()
    {
        // Long enough that after the read timeout (two thirds of it) there is time left to reconnect.
        (ZooKeeperClient zk, StateRecorder states) = await ConnectRecordingAsync(sessionTimeout: TimeSpan.FromSeconds(6));
        long sessionId = zk.SessionId;
        string path = await zk.CreateAsync(Unique("/survivor"), Bytes("x"), ZooKeeperAcls.OpenUnsafe, ZooKeeperCreateMode.Ephemeral);

        // SIGSTOP: the server keeps its sockets but answers nothing, like a hung or partitioned server.
        await _fixture.Server.FreezeAsync();
        Task<ZooKeeperData> pending;
        Task<ZooKeeperStat?> queued;
        try
        {
            pending = zk.GetDataAsync(path);
            var lost = await Assert.ThrowsAsync<ZooKeeperException>(() => pending.WaitAsync(EventTimeout));
            Assert.Equal(ZooKeeperErrorCode.ConnectionLoss, lost.Code);
            Assert.Equal(ZooKeeperState.Disconnected, zk.State);
            // Made while disconnected: waits for the session to be back instead of failing.
            queued = zk.ExistsAsync(path);
        }
        finally
        {
            _fixture.Server.Thaw();
        }

        Assert.Equal(sessionId, (await queued.WaitAsync(EventTimeout))!.EphemeralOwner);
        await states.WaitForAsync(ZooKeeperState.Connected, EventTimeout);
        Assert.Equal([ZooKeeperState.Disconnected, ZooKeeperState.Connected], states.Seen);
        Assert.Equal(sessionId, zk.SessionId);
        // Connected only now: a client connected during the freeze would have been cut off as well.
        ZooKeeperClient observer = await ConnectAsync();
        Assert.Equal(sessionId, (await observer.ExistsAsync(path))!.EphemeralOwner);
    }

    private async Task<ZooKeeperClient> ConnectAsync(string? connectString = null, TimeSpan? sessionTimeout = null) =>
        (await ConnectRecordingAsync(connectString, sessionTimeout)).Client;

    /// <summary>A connected client, and the recorder of its state changes after connecting.</summary>
    private async Task<(ZooKeeperClient Client, StateRecorder States)> ConnectRecordingAsync(string? connectString = null, TimeSpan? sessionTimeout = null)
    {
        var client = new ZooKeeperClient(new ZooKeeperClientOptions
        {
            ConnectString = connectString ?? _fixture.Ensemble.ConnectString,
            SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(4),
            LoggerFactory = _logging,
        });
        _clients.Add(client);
        var states = new StateRecorder(client);
        using var deadline = new CancellationTokenSource(EventTimeout);
        await client.ConnectAsync(deadline.Token);
        await states.SkipInitialConnectAsync(EventTimeout);
        return (client, states);
    }

    private static async Task AssertCodeAsync(ZooKeeperErrorCode expected, Func<Task> operation)
    {
        var error = await Assert.ThrowsAsync<ZooKeeperException>(operation);
        Assert.Equal(expected, error.Code);
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] data) => Encoding.UTF8.GetString(data);
}
