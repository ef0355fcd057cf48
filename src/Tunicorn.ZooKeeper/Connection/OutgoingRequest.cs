namespace Tunicorn.ZooKeeper.Connection;

/// <summary>A request ready to write.</summary>
/// <param name="Frame">The whole frame, length prefix included; an ordinary request's xid is written into it when it is queued.</param>
/// <param name="Path">The node as the caller named it, for error messages.</param>
/// <param name="OnReply">
/// Runs on the reader as soon as the answer is read, before any later frame: a watch is registered there so that
/// its event, which the server can send right after the answer, always finds it.
/// </param>
internal sealed record OutgoingRequest(RequestKind Kind, byte[] Frame, string? Path, Action<ZooKeeperErrorCode>? OnReply = null);
