using Microsoft.Extensions.Logging;

namespace Tunicorn.Admin;

internal sealed partial class AdminServer
{
    [LoggerMessage(EventId = 1850, Level = LogLevel.Information, Message = "Admin endpoint at http://{Address}/ (/metrics, /status, /status.json, /healthz, /readyz)")]
    private static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 1851, Level = LogLevel.Error, Message = "Admin endpoint stopped accepting: {Reason}; the server serves on without it")]
    private static partial void AcceptFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1852, Level = LogLevel.Error, Message = "Admin endpoint failed to answer {Path}")]
    private static partial void RouteFailed(ILogger logger, string path, Exception error);
}
