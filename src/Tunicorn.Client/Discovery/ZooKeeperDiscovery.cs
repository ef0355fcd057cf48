using Tunicorn.Registry;
using Tunicorn.ZooKeeper;

namespace Tunicorn.Client.Discovery;

/// <summary>
/// The servers registered as children of a ZooKeeper node: the children are read with a watch, and read again each
/// time the watch fires, so a member joining or leaving is seen within milliseconds. A member's data is read once
/// (sequential member nodes are never rewritten). While ZooKeeper is unreachable the last view stays; after a
/// session expiry a new session reads everything again.
/// </summary>
public sealed class ZooKeeperDiscovery : IServiceDiscovery
{
    private readonly ZooKeeperDiscoveryOptions _options;
    private readonly string _hosts;
    private readonly string _path;
    private readonly DiscoveryLoop _loop;
    private readonly Dictionary<string, ServiceInstance?> _members = new(StringComparer.Ordinal);

    public ZooKeeperDiscovery(ZooKeeperDiscoveryOptions options)
    {
        _options = options;
        _hosts = ZooKeeperSession.ConnectString(options.Hosts);
        _path = options.ResolvePath();
        _loop = new DiscoveryLoop(Description, options.LoggerFactory, options.TimeProvider, SessionAsync, () => Current().Count);
    }

    public string Description => $"zookeeper {_hosts} {_path}";

    public Task StartAsync(Action<IReadOnlyList<ServiceInstance>> onChange, CancellationToken cancellationToken) =>
        _loop.StartAsync(onChange, cancellationToken);

    public ValueTask DisposeAsync() => _loop.DisposeAsync();

    /// <summary>One session: read the members, and again each time a watch fires, until the session ends.</summary>
    private async Task SessionAsync(CancellationToken cancellationToken)
    {
        await using var session = new ZooKeeperSession(_hosts, _options.SessionTimeout, _options.LoggerFactory, _options.TimeProvider);
        // One signal for "read again": a watch fired, or the session ended.
        var wake = new SemaphoreSlim(0);
        _ = session.Ended.ContinueWith(_ => wake.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await session.Client.ConnectAsync(cancellationToken);
        await session.AuthenticateAsync(_options.Auth, cancellationToken);
        bool first = true;
        while (!session.Ended.IsCompleted)
        {
            await ReadAsync(session.Client, () => wake.Release(), first, cancellationToken);
            _loop.Connected();
            first = false;
            await wake.WaitAsync(cancellationToken);
        }
        throw new ZooKeeperException(ZooKeeperErrorCode.SessionExpired, _path);
    }

    /// <summary>Reads the children with a watch, and the data of new ones; publishes when something changed.</summary>
    private async Task ReadAsync(ZooKeeperClient client, Action wake, bool first, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> children;
        try
        {
            children = (await client.GetChildrenAsync(_path, _ => wake(), cancellationToken)).Children;
        }
        catch (ZooKeeperException e) when (e.Code == ZooKeeperErrorCode.NoNode)
        {
            // No server registered yet: wait for the node to appear (and read again at once if it just did).
            if (await client.ExistsAsync(_path, _ => wake(), cancellationToken) is not null)
                wake();
            children = [];
        }
        bool changed = first;
        foreach (string gone in _members.Keys.Where(name => !children.Contains(name)).ToList())
            changed |= _members.Remove(gone, out var instance) && instance is not null;
        foreach (string name in children.Where(name => !_members.ContainsKey(name)))
        {
            string node = $"{_path}/{name}";
            try
            {
                var data = await client.GetDataAsync(node, cancellationToken: cancellationToken);
                var instance = ServiceEntryReader.TryRead(node, data.Data, out string? reason);
                if (instance is null)
                    ClientLog.InvalidEntry(_loop.Log, node, reason ?? "unreadable");
                _members[name] = instance;
                changed |= instance is not null;
            }
            catch (ZooKeeperException e) when (e.Code == ZooKeeperErrorCode.NoNode)
            {
                // Gone again already: the child watch fires for it.
            }
        }
        if (changed)
            _loop.Publish(Current());
    }

    private List<ServiceInstance> Current() =>
        [.. _members.Values.OfType<ServiceInstance>().OrderBy(s => s.Id, StringComparer.Ordinal)];
}
