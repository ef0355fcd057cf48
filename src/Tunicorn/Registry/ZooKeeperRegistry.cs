using System.Text;
using Microsoft.Extensions.Logging;
using Tunicorn.ZooKeeper;

namespace Tunicorn.Registry;

/// <summary>
/// service_register_cls = zookeeper: one ephemeral sequential node per endpoint, <c>PATH/member_NNNNNNNNNN</c> (the
/// serverset naming Finagle reads), holding the entry's JSON. The nodes live as long as this master's session: kill -9
/// lets the session, and so the nodes, expire; TERM deletes them and closes the session.
/// </summary>
/// <remarks>
/// The ZooKeeper client keeps the session across reconnects on its own (the nodes survive a short outage). An
/// expired session is final for a client, so the loop starts a new client and creates the nodes again. A create that
/// fails with ConnectionLoss may still have happened: the node is then looked for among the children (owned by this
/// session, with this entry's data) before creating another. With auth, nodes are created with the ACL "creator may
/// do anything, anyone may read", so that clients need no credentials.
/// </remarks>
internal sealed class ZooKeeperRegistry : IServiceRegistry
{
    private const string DefaultHosts = "127.0.0.1:2181";
    private const string MemberPrefix = "member_";
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(1);

    private readonly ServiceRegistryContext _context;
    private readonly string _connectString;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _nodes = [];
    private IReadOnlyList<string> _entries = [];
    private ZooKeeperClient? _client;
    private Task? _loop;
    private bool _everRegistered;

    public ZooKeeperRegistry(ServiceRegistryContext context)
    {
        _context = context;
        _connectString = context.Options.Hosts.Count == 0 ? DefaultHosts : string.Join(",", context.Options.Hosts);
        _log = context.LoggerFactory.CreateLogger("tunicorn.registry");
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

    public Task StartAsync(IReadOnlyList<ServiceEndpoint> endpoints, CancellationToken cancellationToken)
    {
        if (_loop is not null)
            return Task.CompletedTask;
        _entries = [.. endpoints.Select(e => _context.EntryFor(e).ToJson(_context.Options.Format))];
        if (_entries.Count == 0)
        {
            RegistryLog.NothingToRegister(_log);
            return Task.CompletedTask;
        }
        var token = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, cancellationToken).Token;
        _loop = Task.Run(() => RunAsync(token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task DeregisterAsync(CancellationToken cancellationToken)
    {
        await StopLoopAsync();
        var nodes = Nodes;
        if (_client is not { } client)
            return;
        _client = null;
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
        if (nodes.Count > 0)
        {
            RegistryLog.Deregistered(_log, "zookeeper", string.Join(", ", nodes));
            await RegistryDelays.AfterDeregisterAsync(_context, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopAsync();
        if (_client is { } client)
        {
            _client = null;
            await client.DisposeAsync();
        }
        _stop.Dispose();
    }

    private async Task StopLoopAsync()
    {
        if (!_stop.IsCancellationRequested)
            await _stop.CancelAsync();
        if (_loop is { } loop)
        {
            try
            {
                await loop;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>One session after another: connect, create the nodes, wait until the session ends.</summary>
    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var retry = FirstRetry;
        bool unavailable = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var ended = new TaskCompletionSource<ZooKeeperState>(TaskCreationOptions.RunContinuationsAsynchronously);
            var client = new ZooKeeperClient(new ZooKeeperClientOptions
            {
                ConnectString = _connectString,
                SessionTimeout = _context.Options.Timeout,
                LoggerFactory = _context.LoggerFactory,
                TimeProvider = _context.TimeProvider,
            });
            client.StateChanged += (_, change) =>
            {
                if (change.State is ZooKeeperState.Expired or ZooKeeperState.Closed)
                    ended.TrySetResult(change.State);
            };
            _client = client;
            try
            {
                var connect = client.ConnectAsync(cancellationToken);
                if (!unavailable && await Task.WhenAny(connect, Task.Delay(TimeSpan.FromSeconds(2), _context.TimeProvider, cancellationToken)) != connect
                    && !cancellationToken.IsCancellationRequested)
                {
                    RegistryLog.RegistryUnavailable(_log, "zookeeper", _connectString, "no server granted a session within 2 s");
                    unavailable = true;
                }
                await connect;
                if (_context.Options.Auth is { } auth)
                {
                    int colon = auth.IndexOf(':');
                    await client.AddDigestAuthAsync(auth[..colon], auth[(colon + 1)..], cancellationToken);
                }
                await RegisterAsync(client, cancellationToken);
                unavailable = false;
                retry = FirstRetry;

                var state = await ended.Task.WaitAsync(cancellationToken);
                lock (_nodes)
                    _nodes.Clear();
                RegistryLog.RegistrationLost(_log, "zookeeper", $"the session {(state == ZooKeeperState.Expired ? "expired" : "was closed")}");
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                lock (_nodes)
                    _nodes.Clear();
                if (!unavailable)
                    RegistryLog.RegistryUnavailable(_log, "zookeeper", _connectString, e.Message);
                else
                    RegistryLog.RegistryStillUnavailable(_log, "zookeeper", e.Message);
                unavailable = true;
                // Whatever this session created goes with it.
                await client.DisposeAsync();
                _client = null;
                try
                {
                    await Task.Delay(retry, _context.TimeProvider, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, MaxRetry.Ticks));
                continue;
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Deregistration (or disposal) takes over the client from here.
                return;
            }
            await client.DisposeAsync();
            _client = null;
        }
    }

    private async Task RegisterAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        string parent = _context.Path;
        var acl = _context.Options.Auth is null ? ZooKeeperAcls.OpenUnsafe : [.. ZooKeeperAcls.CreatorAll, .. ZooKeeperAcls.ReadUnsafe];
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
        var nodes = string.Join(", ", Nodes);
        if (_everRegistered)
            RegistryLog.RegisteredAgain(_log, "zookeeper", _connectString, nodes);
        else
            RegistryLog.Registered(_log, "zookeeper", _connectString, nodes);
        _everRegistered = true;
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
