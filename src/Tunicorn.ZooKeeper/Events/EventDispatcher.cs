using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Tunicorn.ZooKeeper.Events;

/// <summary>
/// Calls the user's watchers and state handlers one at a time, in the order the events happened, on a loop of
/// its own (ClientCnxn's EventThread): a slow or throwing handler never holds up the connection's reader, and a
/// handler that throws is logged and the next one runs.
/// </summary>
internal sealed partial class EventDispatcher : IAsyncDisposable
{
    /// <summary>Set on the loop, so that a handler that closes the client is not made to wait for itself.</summary>
    private static readonly AsyncLocal<EventDispatcher?> Running = new();

    private readonly Channel<Action> _queue = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _loop;

    public EventDispatcher(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a call; after disposal, calls are dropped (nobody is listening any more).</summary>
    public void Post(Action handler) => _queue.Writer.TryWrite(handler);

    /// <summary>Delivers what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (Running.Value != this)
            await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        Running.Value = this;
        await foreach (Action handler in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                handler();
            }
            catch (Exception e)
            {
                // User code: whatever it throws is its own bug, reported here; the client carries on.
                HandlerFailed(_logger, e);
            }
        }
    }
}
