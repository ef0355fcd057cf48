namespace Tunicorn.ZooKeeper;

/// <summary>A change of <see cref="ZooKeeperClient.State"/>, delivered in order on the client's event loop.</summary>
public sealed class ZooKeeperStateChangedEventArgs(ZooKeeperState previousState, ZooKeeperState state) : EventArgs
{
    public ZooKeeperState PreviousState { get; } = previousState;

    public ZooKeeperState State { get; } = state;

    public override string ToString() => $"{PreviousState} -> {State}";
}
