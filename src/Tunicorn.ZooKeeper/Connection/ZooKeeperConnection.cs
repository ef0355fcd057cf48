using System.Net;
using System.Net.Sockets;
using Tunicorn.ZooKeeper.Addressing;
using Tunicorn.ZooKeeper.Protocol;

namespace Tunicorn.ZooKeeper.Connection;

/// <summary>
/// One TCP connection to one server, after the session handshake. One reader loop reads every frame and routes
/// it by xid; writes are serialized by one lock, under which each request gets its xid and its place in the
/// queue of answers, so that answers (which the server sends in request order) match the queue's head. A timer
/// pings when the connection is idle and drops the connection when the server has been silent too long. When
/// the connection ends for any reason, every request still waiting fails with ConnectionLoss.
/// </summary>
internal sealed class ZooKeeperConnection : IAsyncDisposable
{
    private readonly NetworkStream _stream;
    private readonly FrameReader _frames;
    private readonly IConnectionOwner _owner;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _pendingLock = new();
    private readonly Queue<PendingRequest> _pending = new();
    private readonly Queue<PendingRequest> _pendingAuth = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<Exception> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _isClosed;
    private int _nextXid = Xid.First;
    private long _lastHeard;
    private long _lastSent;
    private TimeSpan _readTimeout;
    private TimeSpan _pingInterval;
    private Task _readLoop = Task.CompletedTask;
    private Task _timerLoop = Task.CompletedTask;
    private Task _ping = Task.CompletedTask;

    private ZooKeeperConnection(NetworkStream stream, FrameReader frames, ServerAddress server, ConnectResponse response,
        IConnectionOwner owner, TimeProvider time)
    {
        _stream = stream;
        _frames = frames;
        Server = server;
        Response = response;
        _owner = owner;
        _time = time;
        _lastHeard = _lastSent = time.GetTimestamp();
    }

    public ServerAddress Server { get; }

    /// <summary>The server's answer to the handshake: the session granted, or a session timeout of 0 for an expired one.</summary>
    public ConnectResponse Response { get; }

    public bool IsClosed => _isClosed;

    /// <summary>When a frame last came from the server (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastHeard => Volatile.Read(ref _lastHeard);

    /// <summary>Completes with the reason once the connection has ended.</summary>
    public Task<Exception> Closed => _closed.Task;

    /// <summary>Connects to <paramref name="server"/> and does the session handshake, all within <paramref name="timeout"/>.</summary>
    public static async Task<ZooKeeperConnection> OpenAsync(ServerAddress server, ConnectRequest request, int maxFrameLength,
        TimeSpan timeout, IConnectionOwner owner, TimeProvider time, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        Socket? socket = null;
        try
        {
            socket = await ConnectSocketAsync(server, linked.Token).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            socket = null;
            try
            {
                await stream.WriteAsync(request.ToFrame(), linked.Token).ConfigureAwait(false);
                var frames = new FrameReader(stream, maxFrameLength);
                ConnectResponse response = ConnectResponse.Parse(await frames.ReadAsync(linked.Token).ConfigureAwait(false));
                return new ZooKeeperConnection(stream, frames, server, response, owner, time);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no session handshake with {server} within {timeout.TotalMilliseconds:0} ms");
        }
        catch (EndOfStreamException)
        {
            // A server that is not serving (no quorum yet, or shutting down) accepts and closes at once.
            throw new IOException($"{server} closed the connection during the handshake (not serving yet?)");
        }
        finally
        {
            socket?.Dispose();
        }
    }

    /// <summary>Starts reading and pinging, with timings derived from the negotiated session timeout as in ZooKeeper's own client.</summary>
    public void Start(TimeSpan sessionTimeout)
    {
        // Silence for two thirds of the session timeout means the server is gone: that leaves a third of the
        // timeout to reach another server before the session expires. An idle connection pings at a third.
        _readTimeout = sessionTimeout * 2 / 3;
        _pingInterval = sessionTimeout / 3;
        _lastHeard = _lastSent = _time.GetTimestamp();
        _readLoop = ReadLoopAsync();
        _timerLoop = TimerLoopAsync();
    }

    /// <summary>Writes the request; the returned task completes when it is written and gives the task of its answer.</summary>
    /// <exception cref="ConnectionClosedException">The connection was closed before anything was written.</exception>
    public async Task<Task<Reply>> WriteAsync(OutgoingRequest request, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            PendingRequest? pending = Enqueue(request);
            try
            {
                // Not the caller's token: a frame cancelled halfway would leave the stream unusable.
                await _stream.WriteAsync(request.Frame, _stop.Token).ConfigureAwait(false);
                Volatile.Write(ref _lastSent, _time.GetTimestamp());
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // Fails this request too (it is queued) with ConnectionLoss.
                Fail(new IOException($"writing to {Server} failed: {e.Message}", e));
            }
            return pending?.Task ?? Task.FromResult(default(Reply));
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<Reply> SendAsync(OutgoingRequest request, CancellationToken cancellationToken)
    {
        Task<Reply> reply = await WriteAsync(request, cancellationToken).ConfigureAwait(false);
        // A caller that gives up leaves its entry queued: the answer still comes, in order, and is dropped.
        return await reply.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the connection (idempotent): closes the socket and fails the requests still waiting with ConnectionLoss.</summary>
    public void Fail(Exception reason)
    {
        PendingRequest[] waiting;
        lock (_pendingLock)
        {
            if (_isClosed)
                return;
            _isClosed = true;
            waiting = [.. _pending, .. _pendingAuth];
            _pending.Clear();
            _pendingAuth.Clear();
        }
        _stop.Cancel();
        _stream.Dispose();
        _owner.OnConnectionLost(this, reason);
        foreach (PendingRequest request in waiting)
            request.Fail(new ZooKeeperException(ZooKeeperErrorCode.ConnectionLoss, request.Request.Path, reason));
        _closed.TrySetResult(reason);
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new ObjectDisposedException(nameof(ZooKeeperConnection)));
        await Task.WhenAll(_readLoop, _timerLoop).ConfigureAwait(false);
        // Read only now: the timer loop, until it ended, could still start a ping.
        await _ping.ConfigureAwait(false);
        _stop.Dispose();
    }

    private static async Task<Socket> ConnectSocketAsync(ServerAddress server, CancellationToken cancellationToken)
    {
        IPAddress[] addresses = IPAddress.TryParse(server.Host, out IPAddress? literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(server.Host, cancellationToken).ConfigureAwait(false);
        SocketException? last = null;
        foreach (IPAddress address in addresses)
        {
            // One socket per address family: a dual-mode socket would fail where IPv6 is disabled.
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, server.Port), cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>Under the write lock: gives an ordinary request its xid and queues whatever expects an answer, in write order.</summary>
    private PendingRequest? Enqueue(OutgoingRequest request)
    {
        lock (_pendingLock)
        {
            if (_isClosed)
                throw new ConnectionClosedException();
            switch (request.Kind)
            {
                case RequestKind.Ordinary:
                    int xid = _nextXid;
                    // Wraps before reaching the negative xids that are reserved for special packets.
                    _nextXid = xid == int.MaxValue ? Xid.First : xid + 1;
                    JuteWriter.SetXid(request.Frame, xid);
                    var ordinary = new PendingRequest(request, xid);
                    _pending.Enqueue(ordinary);
                    return ordinary;
                case RequestKind.SetWatches:
                    var setWatches = new PendingRequest(request, Xid.SetWatches);
                    _pending.Enqueue(setWatches);
                    return setWatches;
                case RequestKind.Auth:
                    var auth = new PendingRequest(request, Xid.Auth);
                    _pendingAuth.Enqueue(auth);
                    return auth;
                default:
                    return null;
            }
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                byte[] frame = await _frames.ReadAsync(_stop.Token).ConfigureAwait(false);
                Volatile.Write(ref _lastHeard, _time.GetTimestamp());
                Route(frame);
            }
        }
        catch (EndOfStreamException)
        {
            Fail(new IOException($"{Server} closed the connection"));
        }
        catch (Exception e)
        {
            // Whatever ends the reader ends the connection, and the reason reaches the session's log: socket errors,
            // a protocol violation (after which nothing on the stream can be trusted), or a bug in routing.
            Fail(e);
        }
    }

    private void Route(byte[] frame)
    {
        var reader = new JuteReader(frame);
        ReplyHeader header = ReplyHeader.Read(ref reader);
        if (header.Zxid > 0)
            _owner.OnZxidSeen(header.Zxid);
        switch (header.Xid)
        {
            case Xid.Ping:
                return;
            case Xid.Notification:
                _owner.OnWatchEvent(WatcherEventRecord.Read(ref reader));
                return;
        }

        PendingRequest? pending;
        lock (_pendingLock)
        {
            Queue<PendingRequest> queue = header.Xid == Xid.Auth ? _pendingAuth : _pending;
            queue.TryDequeue(out pending);
        }
        if (pending is null)
            throw new ZooKeeperProtocolException($"an answer with xid {header.Xid} came when no request was waiting");
        if (pending.Xid != header.Xid)
        {
            // Answers come in request order; a mismatch means the stream is out of step and nothing after it can be trusted.
            pending.Fail(new ZooKeeperException(ZooKeeperErrorCode.ConnectionLoss, pending.Request.Path));
            throw new ZooKeeperProtocolException($"an answer with xid {header.Xid} came while xid {pending.Xid} was expected");
        }
        ReadOnlyMemory<byte> body = frame.AsMemory(frame.Length - reader.Remaining);
        pending.Complete(new Reply(header.Error, header.Zxid, body));
    }

    private async Task TimerLoopAsync()
    {
        try
        {
            while (!_isClosed)
            {
                long now = _time.GetTimestamp();
                TimeSpan silent = _time.GetElapsedTime(LastHeard, now);
                if (silent >= _readTimeout)
                {
                    Fail(new TimeoutException($"nothing heard from {Server} for {silent.TotalMilliseconds:0} ms"));
                    return;
                }
                TimeSpan idle = _time.GetElapsedTime(Volatile.Read(ref _lastSent), now);
                if (idle >= _pingInterval && _ping.IsCompleted)
                {
                    // Not awaited: a ping stuck behind a full socket must not stop this loop from noticing the silence.
                    _ping = PingAsync();
                    idle = TimeSpan.Zero;
                }
                TimeSpan wait = Min(_readTimeout - silent, _pingInterval - idle);
                await Task.Delay(Max(wait, TimeSpan.FromMilliseconds(1)), _time, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Closed while waiting.
        }
    }

    private async Task PingAsync()
    {
        try
        {
            await WriteAsync(new OutgoingRequest(RequestKind.Ping, Requests.Ping(), null), _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ConnectionClosedException or OperationCanceledException)
        {
            // The connection ended meanwhile; Fail has done the rest.
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
