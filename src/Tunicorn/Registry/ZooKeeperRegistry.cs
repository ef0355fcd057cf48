using System.Text;
using Tunicorn.ZooKeeper;

namespace Tunicorn.Registry;

/// <summary>
/// service_register_cls = zookeeper: one ephemeral sequential node per endpoint, <c>PATH/member_NNNNNNNNNN</c> (the
/// serverset naming Finagle reads), holding the entry's JSON. The nodes live as long as this master's session: kill -9
/// lets the session, and so the nodes, expire; TERM deletes them and closes the session.
/// </summary>
/// <remarks>
/// The ZooKeeper client keeps the session across reconnects on its own (the nodes survive a short outage). An
/// expired session is final for a client, so each attempt of the <see cref="ReconnectLoop"/> is one session: a new
/// client, the nodes created again. A create that fails with ConnectionLoss may still have happened: the node is then
/// looked for among the children (owned by this session, with this entry's data) before creating another. With auth,
/// nodes are created with the ACL "creator may do anything, anyone may read", so that clients need no credentials.
/// </remarks>
internal sealed class ZooKeeperRegistry : ReconnectingRegistry
{
    private const string MemberPrefix = "member_";

    private readonly string _connectString;
    private readonly List<string> _nodes = [];
    private IReadOnlyList<string> _entries = [];
    private ZooKeeperSession? _session;

    public ZooKeeperRegistry(ServiceRegistryContext context)
        : base(context, "zookeeper")
    {
        _connectString = ZooKeeperSession.ConnectString(string.Join(",", context.Options.Hosts));
    }

    /// <summary>The nodes this master holds now (full paths).</summary>
    public IReadOnlyList<string> Nodes
    {
        get
        {
            lock (_nodes)
                return [.. _nodes];
        }
    }

    protected override string Hosts => _connectString;

    protected override int PrepareEntries(IReadOnlyList<ServiceEndpoint> endpoints)
    {
        _entries = [.. endpoints.Select(e => Context.EntryFor(e).ToJson(Context.Options.Format))];
        return _entries.Count;
    }

    protected override async Task<string?> RemoveEntriesAsync(CancellationToken cancellationToken)
    {
        var nodes = Nodes;
        if (_session is not { Client: var client })
            return null;
        _session = null;
        try
        {
            foreach (string node in nodes)
            {
                try
                {
                    await client.DeleteAsync(node, cancellationToken: cancellationToken);
                }
                catch (ZooKeeperException e) when (e.Code == ZooKeeperErrorCode.NoNode)
                {
                }
            }
        }
        finally
        {
            // Closing the session deletes whatever ephemeral node is left, at once.
            await client.CloseAsync(cancellationToken);
            lock (_nodes)
                _nodes.Clear();
        }
        return nodes.Count > 0 ? string.Join(", ", nodes) : null;
    }

    protected override async ValueTask DisposeConnectionAsync()
    {
        if (_session is { } session)
        {
            _session = null;
            await session.DisposeAsync();
        }
    }

    /// <summary>One session: connect, create the nodes, wait until the session ends.</summary>
    protected override async Task AttemptAsync(CancellationToken cancellationToken)
    {
        var session = new ZooKeeperSession(_connectString, Context.Options.Timeout, Context.LoggerFactory, Context.TimeProvider);
        _session = session;
        var connect = session.Client.ConnectAsync(cancellationToken);
        if (!Loop.IsUnavailable && await Task.WhenAny(connect, Task.Delay(TimeSpan.FromSeconds(2), Context.TimeProvider, cancellationToken)) != connect
            && !cancellationToken.IsCancellationRequested)
        {
            RegistryLog.RegistryUnavailable(Log, Backend, _connectString, "no server granted a session within 2 s");
            Loop.MarkUnavailable();
        }
        await connect;
        await session.AuthenticateAsync(Context.Options.Auth, cancellationToken);
        await RegisterAsync(session.Client, cancellationToken);

        var state = await session.Ended.WaitAsync(cancellationToken);
        lock (_nodes)
            _nodes.Clear();
        RegistryLog.RegistrationLost(Log, Backend, $"the session {(state == ZooKeeperState.Expired ? "expired" : "was closed")}");
        await DisposeConnectionAsync();
    }

    /// <summary>Whatever the failed session created goes with it.</summary>
    protected override async ValueTask ResetAfterFailureAsync()
    {
        lock (_nodes)
            _nodes.Clear();
        await DisposeConnectionAsync();
    }

    private async Task RegisterAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        string parent = Context.Path;
        var acl = Context.Options.Auth is null ? ZooKeeperAcls.OpenUnsafe : [.. ZooKeeperAcls.CreatorAll, .. ZooKeeperAcls.ReadUnsafe];
        foreach (string json in _entries)
        {
            byte[] data = Encoding.UTF8.GetBytes(json);
            while (true)
            {
                try
                {
                    string node = await client.CreateAsync($"{parent}/{MemberPrefix}", data, acl, ZooKeeperCreateMode.EphemeralSequential, cancellationToken);
                    Add(node);
                    break;
                }
                catch (ZooKeeperException e) when (e.Code == ZooKeeperErrorCode.NoNode)
                {
                    await CreateParentsAsync(client, parent, acl, cancellationToken);
                }
                catch (ZooKeeperException e) when (e.Code == ZooKeeperErrorCode.ConnectionLoss)
                {
                    // The create may have happened before the connection dropped: adopt that node rather than add a twin.
                    if (await FindOwnNodeAsync(client, parent, data, cancellationToken) is { } node)
                    {
                        Add(node);
                        break;
                    }
                }
            }
        }
        Registered(string.Join(", ", Nodes));
    }

    private void Add(string node)
    {
        lock (_nodes)
            _nodes.Add(node);
    }

    /// <summary>Creates <paramref name="path"/> and its missing ancestors as persistent nodes.</summary>
    private static async Task CreateParentsAsync(ZooKeeperClient client, string path, IReadOnlyList<ZooKeeperAcl> acl, CancellationToken cancellationToken)
    {
        var prefix = new StringBuilder();
        foreach (string part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            prefix.Append('/').Append(part);
            try
            {
                await client.CreateAsync(prefix.ToString(), ReadOnlyMemory<byte>.Empty, acl, ZooKeeperCreateMode.Persistent, cancellationToken);
            }
            catch (ZooKeeperException e) when (e.Code == ZooKeeperErrorCode.NodeExists)
            {
            }
        }
    }

    private async Task<string?> FindOwnNodeAsync(ZooKeeperClient client, string parent, byte[] data, CancellationToken cancellationToken)
    {
        var children = await client.GetChildrenAsync(parent, cancellationToken: cancellationToken);
        var known = Nodes;
        foreach (string child in children.Children.Where(c => c.StartsWith(MemberPrefix, StringComparison.Ordinal)))
        {
            string node = $"{parent}/{child}";
            if (known.Contains(node))
                continue;
            try
            {
                var found = await client.GetDataAsync(node, cancellationToken: cancellationToken);
                if (found.Stat.EphemeralOwner == client.SessionId && found.Data.AsSpan().SequenceEqual(data))
                    return node;
            }
            catch (ZooKeeperException e) when (e.Code == ZooKeeperErrorCode.NoNode)
            {
            }
        }
        return null;
    }
}
