using Microsoft.Extensions.Logging;

namespace Tunicorn.ZooKeeper.Events;

internal sealed partial class EventDispatcher
{
    [LoggerMessage(EventId = 4120, Level = LogLevel.Error, Message = "A ZooKeeper watcher or state handler threw; the client carries on")]
    private static partial void HandlerFailed(ILogger logger, Exception exception);
}
