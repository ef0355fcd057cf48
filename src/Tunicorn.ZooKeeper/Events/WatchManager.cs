namespace Tunicorn.ZooKeeper.Events;

/// <summary>
/// The client's side of the watches: who waits for which path. The server keeps one watch per path and kind for
/// this session and sends one event; here it fans out to every watcher of the path, once, and forgets them.
/// </summary>
internal sealed class WatchManager
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<Action<ZooKeeperWatchEvent>>> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Action<ZooKeeperWatchEvent>>> _exist = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Action<ZooKeeperWatchEvent>>> _child = new(StringComparer.Ordinal);

    public void Add(WatchKind kind, string path, Action<ZooKeeperWatchEvent> watcher)
    {
        lock (_gate)
        {
            Dictionary<string, HashSet<Action<ZooKeeperWatchEvent>>> watches = kind switch
            {
                WatchKind.Data => _data,
                WatchKind.Exist => _exist,
                _ => _child,
            };
            if (!watches.TryGetValue(path, out HashSet<Action<ZooKeeperWatchEvent>>? watchers))
                watches[path] = watchers = [];
            // A set, as in the Java client: the same watcher set twice on a path is called once.
            watchers.Add(watcher);
        }
    }

    /// <summary>Removes and returns the watchers an event of <paramref name="type"/> on <paramref name="path"/> fires.</summary>
    public IReadOnlyCollection<Action<ZooKeeperWatchEvent>> Take(ZooKeeperEventType type, string path)
    {
        var fired = new HashSet<Action<ZooKeeperWatchEvent>>();
        lock (_gate)
        {
            switch (type)
            {
                case ZooKeeperEventType.NodeCreated or ZooKeeperEventType.NodeDataChanged:
                    TakeInto(_data, path, fired);
                    TakeInto(_exist, path, fired);
                    break;
                case ZooKeeperEventType.NodeChildrenChanged:
                    TakeInto(_child, path, fired);
                    break;
                case ZooKeeperEventType.NodeDeleted:
                    TakeInto(_data, path, fired);
                    TakeInto(_exist, path, fired);
                    TakeInto(_child, path, fired);
                    break;
            }
        }
        return fired;
    }

    /// <summary>Removes every watch, for the final event when the session ends.</summary>
    public IReadOnlyList<(string Path, Action<ZooKeeperWatchEvent> Watcher)> TakeAll()
    {
        lock (_gate)
        {
            var all = new HashSet<(string, Action<ZooKeeperWatchEvent>)>();
            foreach (Dictionary<string, HashSet<Action<ZooKeeperWatchEvent>>> watches in new[] { _data, _exist, _child })
            {
                foreach (var (path, watchers) in watches)
                {
                    foreach (Action<ZooKeeperWatchEvent> watcher in watchers)
                        all.Add((path, watcher));
                }
                watches.Clear();
            }
            return [.. all];
        }
    }

    public WatchSnapshot Snapshot()
    {
        lock (_gate)
            return new WatchSnapshot([.. _data.Keys], [.. _exist.Keys], [.. _child.Keys]);
    }

    private static void TakeInto(Dictionary<string, HashSet<Action<ZooKeeperWatchEvent>>> watches, string path,
        HashSet<Action<ZooKeeperWatchEvent>> fired)
    {
        if (watches.Remove(path, out HashSet<Action<ZooKeeperWatchEvent>>? watchers))
            fired.UnionWith(watchers);
    }
}
