namespace Tunicorn.ZooKeeper.Protocol;

/// <summary>The server sent something this client cannot accept (a bad frame length, a truncated record, an answer out of order); the connection is dropped.</summary>
internal sealed class ZooKeeperProtocolException(string message) : IOException(message);
