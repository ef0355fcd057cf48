using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(1);

    private readonly ZooKeeperDiscoveryOptions _options;
    private readonly string _hosts;
    private readonly string _path;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, ServiceInstance?> _members = new(StringComparer.Ordinal);
    private Action<IReadOnlyList<ServiceInstance>>? _onChange;
    private Task? _loop;
    private int _disposed;

    public ZooKeeperDiscovery(ZooKeeperDiscoveryOptions options)
    {
        _options = options;
        _hosts = string.IsNullOrEmpty(options.Hosts) ? "127.0.0.1:2181" : options.Hosts;
        _path = options.ResolvePath();
        _log = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("tunicorn.client");
    }

    public string Description => $"zookeeper {_hosts} {_path}";

    public Task StartAsync(Action<IReadOnlyList<ServiceInstance>> onChange, CancellationToken cancellationToken)
    {
        if (_loop is not null)
            throw new InvalidOperationException("already started");
        _onChange = onChange;
        var token = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, cancellationToken).Token;
        _loop = Task.Run(() => RunAsync(token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        // Idempotent: a client that shares this discovery may dispose it, and its creator too.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
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
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var retry = FirstRetry;
        bool unavailable = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            await using var client = new ZooKeeperClient(new ZooKeeperClientOptions
            {
                ConnectString = _hosts,
                SessionTimeout = _options.SessionTimeout,
                LoggerFactory = _options.LoggerFactory,
                TimeProvider = _options.TimeProvider,
            });
            // One signal for "read again": a watch fired, or the session ended.
            var wake = new SemaphoreSlim(0);
            bool ended = false;
            client.StateChanged += (_, change) =>
            {
                if (change.State is ZooKeeperState.Expired or ZooKeeperState.Closed)
                {
                    ended = true;
                    wake.Release();
                }
            };
            try
            {
                await client.ConnectAsync(cancellationToken);
                if (_options.Auth is { } auth)
                {
                    int colon = auth.IndexOf(':');
                    await client.AddDigestAuthAsync(auth[..colon], auth[(colon + 1)..], cancellationToken);
                }
                bool first = true;
                while (!ended)
                {
                    await ReadAsync(client, () => wake.Release(), first, cancellationToken);
                    if (unavailable)
                        ClientLog.DiscoveryRecovered(_log, Description, Current().Count);
                    unavailable = false;
                    retry = FirstRetry;
                    first = false;
                    await wake.WaitAsync(cancellationToken);
                }
                throw new ZooKeeperException(ZooKeeperErrorCode.SessionExpired, _path);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                if (!unavailable)
                    ClientLog.DiscoveryUnavailable(_log, Description, e.Message, Current().Count);
                unavailable = true;
                try
                {
                    await Task.Delay(retry, _options.TimeProvider, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, MaxRetry.Ticks));
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
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
                    ClientLog.InvalidEntry(_log, node, reason ?? "unreadable");
                _members[name] = instance;
                changed |= instance is not null;
            }
            catch (ZooKeeperException e) when (e.Code == ZooKeeperErrorCode.NoNode)
            {
                // Gone again already: the child watch fires for it.
            }
        }
        if (changed)
            _onChange?.Invoke(Current());
    }

    private List<ServiceInstance> Current() =>
        [.. _members.Values.OfType<ServiceInstance>().OrderBy(s => s.Id, StringComparer.Ordinal)];
}
