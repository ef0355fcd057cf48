using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tunicorn.Interop;
using Tunicorn.WorkerContract;

namespace Tunicorn.Master;

/// <summary>
/// The master's part in the hand-off of connections: a retiring worker offers a connection (its descriptor, with what
/// it detected) over its hand-off channel; the relay gives it to the accepting worker with the fewest connections and
/// room for one more (read from the <see cref="ConnectionBoard"/>), counts it there at once so that the next offer
/// sees it, answers the offer (moved, or kept with the reason), and closes its own copy of the descriptor.
/// </summary>
/// <remarks>
/// It runs beside the arbiter loop, a thread per worker blocked in recvmsg, so that a connection moves within
/// milliseconds whatever the loop does; it reads the board and its own table of channels, never the arbiter's state.
/// Choices are made one at a time (under one lock), so that two workers retiring together do not both pick the
/// same least loaded worker on the same count.
/// </remarks>
internal sealed partial class ConnectionRelay(ConnectionBoard board, ILogger log) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, WorkerChannel> _channels = [];
    private bool _stopping;

    /// <summary>Starts relaying for a worker just spawned, on its board slot; does nothing for a link without a channel (tests' fakes).</summary>
    public void Add(int slot, int pid, Socket? channel)
    {
        if (channel is null)
            return;
        var added = new WorkerChannel(slot, pid, channel);
        lock (_lock)
            _channels[slot] = added;
        var reader = new Thread(() => Relay(added)) { IsBackground = true, Name = $"tunicorn relay {pid}" };
        reader.Start();
    }

    /// <summary>The worker was reaped: no more connections go to it, and its reader ends.</summary>
    public void Remove(int slot)
    {
        WorkerChannel? removed;
        lock (_lock)
        {
            if (!_channels.Remove(slot, out removed))
                return;
        }
        removed.Close();
    }

    /// <summary>
    /// The arbiter retires this worker (TERM follows): no connection is handed to it from now on, even before the worker
    /// itself says it stopped accepting, so that connections of workers retiring together go to the live ones at once.
    /// </summary>
    public void Retiring(int slot) => board.SetAccepting(slot, false);

    /// <summary>
    /// The whole server stops: no worker takes connections any more. Marked on the board, so that every stopping worker
    /// closes its connections between calls as without hand-off instead of keeping them for a successor.
    /// </summary>
    public void ServerStopping()
    {
        lock (_lock)
        {
            _stopping = true;
            foreach (var slot in _channels.Keys)
                board.SetAccepting(slot, false);
        }
    }

    private void Relay(WorkerChannel from)
    {
        var buffer = new byte[DescriptorPassing.MaxMessage];
        if (!from.TryEnter(out int fd))
            return;
        try
        {
            while (true)
            {
                int length = DescriptorPassing.Receive(fd, buffer, out int descriptor);
                if (length == 0)
                    return;
                var message = HandOffMessage.TryDecode(buffer.AsSpan(0, length));
                if (message is not { Kind: HandOffMessageKind.Offer } offer || descriptor < 0)
                {
                    if (descriptor >= 0)
                        DescriptorPassing.Close(descriptor);
                    continue;
                }
                HandOffMessage answer;
                try
                {
                    answer = PlaceConnection(from, offer, descriptor);
                }
                finally
                {
                    // Sent on (the kernel holds it in flight) or kept by the worker: the master's copy goes either way.
                    DescriptorPassing.Close(descriptor);
                }
                from.Send(answer.Encode(), -1);
            }
        }
        catch (Exception e) when (e is InteropException or ObjectDisposedException)
        {
            // The worker exited (or is being reaped): its offers end with it.
        }
        finally
        {
            from.Leave();
        }
    }

    private HandOffMessage PlaceConnection(WorkerChannel from, HandOffMessage offer, int descriptor)
    {
        lock (_lock)
        {
            if (_stopping)
                return HandOffMessage.Kept(offer.Id, "the server is stopping");
            // A worker whose channel broke is skipped; the next least loaded is tried.
            var tried = new HashSet<int> { from.Slot };
            while (true)
            {
                int target = board.LeastLoadedWithRoom(tried.Contains);
                if (target < 0)
                    return HandOffMessage.Kept(offer.Id, tried.Count == 1 ? "no other worker has room" : "no worker could take it");
                tried.Add(target);
                if (!_channels.TryGetValue(target, out var to))
                    continue;
                try
                {
                    to.Send(offer.ToAdopt().Encode(), descriptor);
                }
                catch (Exception e) when (e is InteropException or ObjectDisposedException)
                {
                    HandOffFailed(log, from.Pid, to.Pid, e.Message);
                    continue;
                }
                board.ConnectionOpened(target);
                ConnectionMoved(log, offer.Peer, from.Pid, to.Pid);
                return HandOffMessage.Moved(offer.Id);
            }
        }
    }

    public void Dispose()
    {
        List<WorkerChannel> all;
        lock (_lock)
        {
            all = [.. _channels.Values];
            _channels.Clear();
        }
        foreach (var channel in all)
            channel.Close();
    }

    [LoggerMessage(EventId = 1150, Level = LogLevel.Debug, Message = "Connection from {Peer} moved from worker {From} to worker {To}")]
    private static partial void ConnectionMoved(ILogger logger, string peer, int from, int to);

    [LoggerMessage(EventId = 1151, Level = LogLevel.Warning,
        Message = "Could not hand a connection of worker {From} to worker {To}: {Reason}; trying another worker")]
    private static partial void HandOffFailed(ILogger logger, int from, int to, string reason);
}
