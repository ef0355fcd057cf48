namespace Tunicorn.ZooKeeper.Connection;

/// <summary>
/// The connection was already closed when a request was about to be written: nothing was sent, so the client
/// can safely send it on the next connection instead of failing it with ConnectionLoss.
/// </summary>
internal sealed class ConnectionClosedException() : Exception("the connection to the ZooKeeper server is closed");
