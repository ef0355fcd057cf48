using Microsoft.Extensions.Logging;

namespace Tunicorn.Control;

internal sealed partial class ControlServer
{
    [LoggerMessage(EventId = 1800, Level = LogLevel.Information, Message = "Control socket at {Path} (mode {Mode}): tunicorn ctl reaches this server there")]
    private static partial void Serving(ILogger logger, string path, string mode);

    [LoggerMessage(EventId = 1801, Level = LogLevel.Warning,
        Message = "Control socket not created at {Path}: {Reason}; the server serves without it (signals still work; set control_socket to a writable path, or --no-control-socket)")]
    private static partial void NotCreated(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1802, Level = LogLevel.Warning, Message = "Control socket: refused a client of uid {Uid} (pid {ClientPid}): only uid {OwnUid} and root may steer this server")]
    private static partial void Refused(ILogger logger, uint uid, int clientPid, uint ownUid);

    [LoggerMessage(EventId = 1803, Level = LogLevel.Warning, Message = "Control socket: invalid request from pid {ClientPid}: {Reason}")]
    private static partial void InvalidRequest(ILogger logger, int clientPid, string reason);

    [LoggerMessage(EventId = 1804, Level = LogLevel.Warning, Message = "Control socket: more than {Max} clients at once; the newest was told the server is busy")]
    private static partial void TooManyClients(ILogger logger, int max);

    [LoggerMessage(EventId = 1805, Level = LogLevel.Debug, Message = "Control socket: client gone: {Reason}")]
    private static partial void ClientFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1806, Level = LogLevel.Warning, Message = "Control socket: accept failed: {Reason}")]
    private static partial void AcceptFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1807, Level = LogLevel.Warning, Message = "Control socket {Path} not removed: {Reason}")]
    private static partial void NotRemoved(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1808, Level = LogLevel.Warning, Message = "Control socket {Path} not moved to {Destination}: {Reason}; it stays where it is")]
    private static partial void NotMoved(ILogger logger, string path, string destination, string reason);
}
