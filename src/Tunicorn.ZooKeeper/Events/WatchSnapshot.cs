namespace Tunicorn.ZooKeeper.Events;

/// <summary>The paths with watches of each kind, to register again on a new connection.</summary>
internal sealed record WatchSnapshot(IReadOnlyList<string> Data, IReadOnlyList<string> Exist, IReadOnlyList<string> Child)
{
    public bool IsEmpty => Data.Count == 0 && Exist.Count == 0 && Child.Count == 0;
}
