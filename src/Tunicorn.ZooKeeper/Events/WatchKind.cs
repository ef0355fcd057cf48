namespace Tunicorn.ZooKeeper.Events;

/// <summary>The three kinds of one-shot watch a server keeps, and the client with it (ZKWatchManager).</summary>
internal enum WatchKind
{
    /// <summary>Left by getData, or by exists on a node that exists: fires on data change and deletion.</summary>
    Data,

    /// <summary>Left by exists on a node that does not exist: fires on creation.</summary>
    Exist,

    /// <summary>Left by getChildren: fires when a child is added or removed, and on deletion.</summary>
    Child,
}
