namespace Tunicorn.ZooKeeper;

/// <summary>
/// An operation failed with one of ZooKeeper's error codes: the server's (NoNode, BadVersion…) or the client's
/// own (ConnectionLoss when the connection dropped before the answer, SessionExpired once the session is gone).
/// Catch by code: <c>catch (ZooKeeperException e) when (e.Code == ZooKeeperErrorCode.NodeExists)</c>.
/// </summary>
public sealed class ZooKeeperException : Exception
{
    public ZooKeeperException(ZooKeeperErrorCode code, string? path = null, Exception? innerException = null)
        : base(Describe(code, path), innerException)
    {
        Code = code;
        Path = path;
    }

    public ZooKeeperErrorCode Code { get; }

    /// <summary>The node the operation was about, as the caller named it (relative to the chroot), when there is one.</summary>
    public string? Path { get; }

    private static string Describe(ZooKeeperErrorCode code, string? path)
    {
        string name = Enum.IsDefined(code) ? code.ToString() : "error";
        return path is null ? $"ZooKeeper {name} ({(int)code})" : $"ZooKeeper {name} ({(int)code}) for {path}";
    }
}
