using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tunicorn.Config;
using Tunicorn.Interop;
using Tunicorn.Thrift;
using Tunicorn.WorkerContract;

namespace Tunicorn.Worker;

/// <summary>
/// The worker's end of its hand-off channel with the master: offers the connections of this worker when it retires
/// (each waits for the master's answer: moved, or kept with a reason), takes in the connections the master hands it
/// from retiring workers, and counts what moved and what stayed for the exit log.
/// </summary>
/// <remarks>
/// One thread reads the channel with blocking recvmsg: messages are rare (a few per connection per reload), and a
/// descriptor arrives with its message, which .NET's socket API cannot receive.
/// </remarks>
internal sealed partial class WorkerHandOff : IConnectionHandOff, IDisposable
{
    private const string MasterGone = "the master is gone";

    private readonly Socket _channel;
    private readonly ConnectionBoard _board;
    private readonly int _slot;
    private readonly ILogger _log;
    private readonly Action<Socket, AdoptedConnection> _adopt;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<string?>> _pending = new();
    private readonly ConcurrentDictionary<string, int> _notMoved = new();
    private readonly Lock _sendLock = new();
    private long _lastOfferId;
    private int _moved;
    private volatile bool _closed;

    /// <param name="adopt">Serves a connection handed over by the master (called on the channel's reader thread).</param>
    public WorkerHandOff(Socket channel, ConnectionBoard board, int slot, ILogger log, Action<Socket, AdoptedConnection> adopt)
    {
        _channel = channel;
        _board = board;
        _slot = slot;
        _log = log;
        _adopt = adopt;
    }

    public int Moved => Volatile.Read(ref _moved);

    public bool AnotherWorkerAccepts => !_closed && _board.OthersBelow(_slot, int.MaxValue);

    public void Start()
    {
        var reader = new Thread(ReadChannel) { IsBackground = true, Name = "tunicorn hand-off" };
        reader.Start();
    }

    public async Task<string?> OfferAsync(Socket socket, ConnectionInfo connection, ThriftProtocolKind protocol, ThriftTransportKind transport)
    {
        long id = Interlocked.Increment(ref _lastOfferId);
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        string? kept;
        if (_closed)
            kept = MasterGone;
        else
        {
            var offer = new HandOffMessage(HandOffMessageKind.Offer, id, protocol, transport, connection.Peer, connection.ProxiedBy, connection.LocalEndPoint);
            try
            {
                lock (_sendLock)
                    DescriptorPassing.Send(FileDescriptors.DescriptorOf(_channel), offer.Encode(), (int)socket.Handle);
                kept = await answer.Task;
            }
            catch (Exception e) when (e is InteropException or ObjectDisposedException)
            {
                kept = MasterGone;
            }
        }
        _pending.TryRemove(id, out _);
        if (kept is null)
            Interlocked.Increment(ref _moved);
        else
            NotMoved(kept);
        return kept;
    }

    public void NotMoved(string reason) => _notMoved.AddOrUpdate(reason, 1, (_, n) => n + 1);

    /// <summary>At the worker's exit: how many connections moved and how many stayed, by reason; nothing when none was offered.</summary>
    public void LogSummary(int pid)
    {
        int moved = Moved;
        var kept = _notMoved.ToArray();
        int notMoved = kept.Sum(k => k.Value);
        if (moved == 0 && notMoved == 0)
            return;
        string reasons = notMoved == 0 ? "" : " (" + string.Join(", ", kept.OrderByDescending(k => k.Value).Select(k => $"{k.Key}: {k.Value}")) + ")";
        HandOffSummary(_log, pid, moved, notMoved, reasons);
    }

    private void ReadChannel()
    {
        bool added = false;
        var handle = _channel.SafeHandle;
        var buffer = new byte[DescriptorPassing.MaxMessage];
        try
        {
            // Held while the thread reads: the descriptor cannot be closed (and its number reused) under recvmsg.
            handle.DangerousAddRef(ref added);
            int fd = (int)handle.DangerousGetHandle();
            while (true)
            {
                int length = DescriptorPassing.Receive(fd, buffer, out int descriptor);
                if (length == 0)
                    return;
                Dispatch(HandOffMessage.TryDecode(buffer.AsSpan(0, length)), descriptor);
            }
        }
        catch (Exception e) when (e is InteropException or ObjectDisposedException)
        {
            // The channel broke: the master is gone or the worker is closing it; pending offers stay here.
        }
        finally
        {
            _closed = true;
            foreach (var (_, answer) in _pending)
                answer.TrySetResult(MasterGone);
            if (added)
                handle.DangerousRelease();
        }
    }

    private void Dispatch(HandOffMessage? message, int descriptor)
    {
        switch (message)
        {
            case { Kind: HandOffMessageKind.Moved } moved when _pending.TryGetValue(moved.Id, out var answer):
                answer.TrySetResult(null);
                break;
            case { Kind: HandOffMessageKind.Kept } kept when _pending.TryGetValue(kept.Id, out var answer):
                answer.TrySetResult(kept.Reason ?? "kept by the master");
                break;
            case { Kind: HandOffMessageKind.Adopt } adopt when descriptor >= 0:
                Socket socket;
                try
                {
                    socket = FileDescriptors.FromDescriptor(descriptor);
                }
                catch (SocketException e)
                {
                    DescriptorPassing.Close(descriptor);
                    AdoptionFailed(_log, adopt.Peer, e.Message);
                    return;
                }
                var connection = new ConnectionInfo { Id = 0, Peer = adopt.Peer, LocalEndPoint = adopt.LocalEndPoint, ProxiedBy = adopt.ProxiedBy };
                _adopt(socket, new AdoptedConnection(connection, adopt.Protocol, adopt.Transport));
                return;
        }
        if (descriptor >= 0)
            DescriptorPassing.Close(descriptor); // no use for it: a message without its purpose
    }

    public void Dispose()
    {
        // Wakes the reader (close alone would not), which then lets go of the descriptor.
        DescriptorPassing.ShutDown(FileDescriptors.DescriptorOf(_channel));
        _channel.Dispose();
    }

    [LoggerMessage(EventId = 2150, Level = LogLevel.Information,
        Message = "Worker (pid: {Pid}) handed {Moved} connections to other workers; not moved: {NotMoved}{Reasons}")]
    private static partial void HandOffSummary(ILogger logger, int pid, int moved, int notMoved, string reasons);

    [LoggerMessage(EventId = 2151, Level = LogLevel.Warning,
        Message = "A connection from {Peer} handed over by the master could not be taken: {Reason}; it is closed")]
    private static partial void AdoptionFailed(ILogger logger, string peer, string reason);
}
