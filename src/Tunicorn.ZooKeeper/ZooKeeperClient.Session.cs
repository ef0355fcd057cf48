using System.Net.Sockets;
using Tunicorn.ZooKeeper.Addressing;
using Tunicorn.ZooKeeper.Connection;
using Tunicorn.ZooKeeper.Events;
using Tunicorn.ZooKeeper.Protocol;

namespace Tunicorn.ZooKeeper;

/// <summary>The session: one loop that connects, hands the connection to callers, and reconnects when it drops.</summary>
public sealed partial class ZooKeeperClient : IConnectionOwner
{
    /// <summary>ZooKeeper's Java client splits SetWatches at 128 KB of paths, below any server's jute.maxbuffer.</summary>
    private const int MaxSetWatchesBytes = 128 * 1024;

    /// <summary>Backoff after every server of the list refused in a row: doubled each round up to the cap, which is the Java client's wait after a full round.</summary>
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly List<Credentials> _credentials = [];
    private ZooKeeperState _state = ZooKeeperState.Connecting;
    private ZooKeeperConnection? _connection;
    private TaskCompletionSource _stateChanged = NewSignal();
    private Task? _sessionLoop;
    private Task? _close;
    private bool _closing;
    private long _sessionId;
    private byte[] _password;
    private int _negotiatedTimeoutMs;
    private long _lastZxid;

    /// <summary>When the session last heard from a server (a <see cref="TimeProvider"/> timestamp): the session expires a session timeout after it.</summary>
    private long _lastHeard;

    private TimeSpan CurrentSessionTimeout =>
        _negotiatedTimeoutMs > 0 ? TimeSpan.FromMilliseconds(_negotiatedTimeoutMs) : _options.SessionTimeout;

    void IConnectionOwner.OnZxidSeen(long zxid)
    {
        long seen = Volatile.Read(ref _lastZxid);
        while (zxid > seen)
        {
            long found = Interlocked.CompareExchange(ref _lastZxid, zxid, seen);
            if (found == seen)
                return;
            seen = found;
        }
    }

    void IConnectionOwner.OnWatchEvent(WatcherEventRecord watchEvent)
    {
        // Type None carries a state change of the Java client's own making; servers do not send it.
        if (watchEvent.Type == ZooKeeperEventType.None)
            return;
        string path = ClientPath(watchEvent.Path);
        var fired = new ZooKeeperWatchEvent(watchEvent.Type, ZooKeeperState.Connected, path);
        foreach (Action<ZooKeeperWatchEvent> watcher in _watches.Take(watchEvent.Type, path))
            _events.Post(() => watcher(fired));
    }

    void IConnectionOwner.OnConnectionLost(ZooKeeperConnection connection, Exception reason)
    {
        lock (_gate)
        {
            // Only the connection in use changes the state: not one that died before it was handed out, nor one being closed.
            if (_connection != connection || _closing)
                return;
            SetState(ZooKeeperState.Disconnected, null);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Under <see cref="_gate"/>: moves to <paramref name="state"/>, wakes the callers waiting for a change, and queues the event.</summary>
    private void SetState(ZooKeeperState state, ZooKeeperConnection? connection)
    {
        ZooKeeperState previous = _state;
        _state = state;
        _connection = connection;
        _stateChanged.TrySetResult();
        _stateChanged = NewSignal();
        if (previous != state)
        {
            var change = new ZooKeeperStateChangedEventArgs(previous, state);
            _events.Post(() => StateChanged?.Invoke(this, change));
        }
    }

    /// <summary>The connection to send on, once there is one other than <paramref name="closed"/>.</summary>
    private async Task<ZooKeeperConnection> WaitForConnectionAsync(string? path, ZooKeeperConnection? closed, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_closing || _state == ZooKeeperState.Closed, this);
                if (_state == ZooKeeperState.Expired)
                    throw new ZooKeeperException(ZooKeeperErrorCode.SessionExpired, path);
                if (_sessionLoop is null)
                    throw new InvalidOperationException("the ZooKeeper client is not started: call ConnectAsync first");
                if (_state == ZooKeeperState.Connected && _connection is not null && _connection != closed)
                    return _connection;
                changed = _stateChanged.Task;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunSessionAsync()
    {
        CancellationToken stop = _lifetime.Token;
        lock (_gate)
            _lastHeard = _time.GetTimestamp();
        int next = 0;
        int refusedInRow = 0;
        TimeSpan backoff = FirstBackoff;
        string lastError = string.Empty;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                ServerAddress server = _servers[next];
                next = (next + 1) % _servers.Count;

                ConnectRequest request;
                TimeSpan attemptTimeout;
                TimeSpan sessionTimeout;
                TimeSpan left = TimeSpan.MaxValue;
                lock (_gate)
                {
                    sessionTimeout = CurrentSessionTimeout;
                    // The Java client's rule: a server gets its share of the session timeout to answer.
                    attemptTimeout = sessionTimeout / _servers.Count;
                    if (_sessionId != 0)
                    {
                        left = sessionTimeout - _time.GetElapsedTime(_lastHeard);
                        attemptTimeout = left < attemptTimeout ? left : attemptTimeout;
                    }
                    request = new ConnectRequest(Volatile.Read(ref _lastZxid), (int)_options.SessionTimeout.TotalMilliseconds, _sessionId, _password);
                }
                if (left <= TimeSpan.Zero)
                {
                    // The servers count from the last packet they had from us, which is no later than our last
                    // answer from them: by now the ensemble has expired the session too or, if it restarted
                    // meanwhile, still holds it for one more timeout, while nobody can tell the application in time.
                    Expire($"no server reached within the session timeout of {sessionTimeout.TotalMilliseconds:0} ms");
                    return;
                }

                ZooKeeperConnection connection;
                try
                {
                    connection = await ZooKeeperConnection.OpenAsync(server, request, _options.MaxFrameLength, attemptTimeout, this, _time, stop)
                        .ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or IOException or TimeoutException)
                {
                    lastError = e.Message;
                    ConnectFailed(_logger, server.ToString(), e.Message);
                    if (++refusedInRow >= _servers.Count)
                    {
                        refusedInRow = 0;
                        // Jittered, so that the clients of a restarted ensemble don't all come back in the same instant.
                        TimeSpan wait = backoff * (0.5 + (_random.NextDouble() / 2));
                        // Not past the session's end, so that an expiry is reported when it happens.
                        wait = wait < left ? wait : left;
                        NoServerReachable(_logger, _servers.Count, (long)wait.TotalMilliseconds, lastError);
                        await Task.Delay(wait, _time, stop).ConfigureAwait(false);
                        backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
                    }
                    continue;
                }
                refusedInRow = 0;
                backoff = FirstBackoff;

                if (connection.Response.SessionExpired)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    Expire($"{server} reports the session expired");
                    return;
                }

                TimeSpan negotiated = AdoptSession(connection);
                connection.Start(negotiated);
                await PrimeAsync(connection).ConfigureAwait(false);
                if (!TryPublish(connection))
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    continue;
                }

                Exception reason = await connection.Closed.ConfigureAwait(false);
                bool closing;
                lock (_gate)
                {
                    _lastHeard = connection.LastHeard;
                    closing = _closing;
                }
                await connection.DisposeAsync().ConfigureAwait(false);
                // After a CloseSession the server hangs up: that is the end, not a loss to recover from.
                if (closing || stop.IsCancellationRequested)
                    return;
                if (reason is ZooKeeperProtocolException)
                    ProtocolViolation(_logger, server.ToString(), reason.Message);
                else
                    ConnectionLost(_logger, server.ToString(), SessionId, reason.Message);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Closed.
        }
        catch (Exception e)
        {
            // A bug here must not leave callers waiting for a connection forever: end the session visibly.
            SessionLoopFailed(_logger, e);
            Expire($"the session loop failed: {e.Message}");
        }
    }

    /// <summary>Takes the session the server granted; returns its timeout.</summary>
    private TimeSpan AdoptSession(ZooKeeperConnection connection)
    {
        ConnectResponse response = connection.Response;
        bool resumed;
        lock (_gate)
        {
            resumed = _sessionId == response.SessionId;
            _sessionId = response.SessionId;
            _password = response.Password;
            _negotiatedTimeoutMs = response.TimeoutMs;
            _lastHeard = connection.LastHeard;
        }
        if (resumed)
            SessionResumed(_logger, response.SessionId, connection.Server.ToString(), response.TimeoutMs);
        else
            SessionEstablished(_logger, response.SessionId, connection.Server.ToString(), response.TimeoutMs);
        return TimeSpan.FromMilliseconds(response.TimeoutMs);
    }

    /// <summary>
    /// Writes what a new connection needs before any caller's request: the watches to register again and the
    /// credentials to send again. Their answers are only checked (and logged) when they come.
    /// </summary>
    private async Task PrimeAsync(ZooKeeperConnection connection)
    {
        try
        {
            // Credentials first, as they decide what the watches may see; the server applies them as soon as it reads them.
            Credentials[] credentials;
            lock (_gate)
                credentials = [.. _credentials];
            foreach (Credentials entry in credentials)
            {
                var request = new OutgoingRequest(RequestKind.Auth, Requests.Auth(entry.Scheme, entry.Data), null);
                Task<Reply> reply = await connection.WriteAsync(request, CancellationToken.None).ConfigureAwait(false);
                _ = CheckPrimingAsync(reply, connection, $"auth ({entry.Scheme})", entry);
            }

            WatchSnapshot watches = _watches.Snapshot();
            if (!watches.IsEmpty)
            {
                long relativeZxid = Volatile.Read(ref _lastZxid);
                foreach (byte[] frame in SetWatchesFrames(relativeZxid, watches))
                {
                    Task<Reply> reply = await connection.WriteAsync(new OutgoingRequest(RequestKind.SetWatches, frame, null), CancellationToken.None)
                        .ConfigureAwait(false);
                    _ = CheckPrimingAsync(reply, connection, "SetWatches", null);
                }
            }
        }
        catch (ConnectionClosedException)
        {
            // The connection died already; TryPublish sees it and the loop moves on.
        }
    }

    private IEnumerable<byte[]> SetWatchesFrames(long relativeZxid, WatchSnapshot watches)
    {
        var data = new List<string>();
        var exist = new List<string>();
        var child = new List<string>();
        int bytes = 0;
        foreach (var (paths, batch) in new[] { (watches.Data, data), (watches.Exist, exist), (watches.Child, child) })
        {
            foreach (string path in paths)
            {
                string serverPath = ServerPath(path);
                if (bytes > 0 && bytes + serverPath.Length > MaxSetWatchesBytes)
                {
                    yield return Requests.SetWatches(relativeZxid, data, exist, child);
                    data.Clear();
                    exist.Clear();
                    child.Clear();
                    bytes = 0;
                }
                batch.Add(serverPath);
                bytes += serverPath.Length;
            }
        }
        if (bytes > 0)
            yield return Requests.SetWatches(relativeZxid, data, exist, child);
    }

    /// <summary>Logs a re-registration or re-authentication the server refused; ConnectionLoss needs nothing, the next connection primes again.</summary>
    private async Task CheckPrimingAsync(Task<Reply> reply, ZooKeeperConnection connection, string what, Credentials? credentials)
    {
        try
        {
            Reply answer = await reply.ConfigureAwait(false);
            if (answer.Error == ZooKeeperErrorCode.Ok)
                return;
            PrimingRefused(_logger, what, connection.Server.ToString(), answer.Error);
            if (credentials is not null)
            {
                // Refused credentials would be refused on every reconnect, and the server drops the connection each time.
                lock (_gate)
                    _credentials.Remove(credentials);
            }
        }
        catch (ZooKeeperException e) when (e.Code == ZooKeeperErrorCode.ConnectionLoss)
        {
            // Primed again on the next connection.
        }
    }

    /// <summary>Hands the connection to callers, unless it died meanwhile or the client is closing.</summary>
    private bool TryPublish(ZooKeeperConnection connection)
    {
        lock (_gate)
        {
            if (_closing || connection.IsClosed)
                return false;
            SetState(ZooKeeperState.Connected, connection);
            return true;
        }
    }

    /// <summary>Ends the session for good: callers get SessionExpired, and every watcher a final event.</summary>
    private void Expire(string reason)
    {
        long sessionId;
        lock (_gate)
        {
            if (_state is ZooKeeperState.Expired or ZooKeeperState.Closed || _closing)
                return;
            SetState(ZooKeeperState.Expired, null);
            sessionId = _sessionId;
        }
        SessionExpired(_logger, sessionId, reason);
        NotifyWatchersOfEnd(ZooKeeperState.Expired);
    }

    private void NotifyWatchersOfEnd(ZooKeeperState state)
    {
        foreach (var (path, watcher) in _watches.TakeAll())
        {
            var ended = new ZooKeeperWatchEvent(ZooKeeperEventType.None, state, path);
            _events.Post(() => watcher(ended));
        }
    }

    private async Task CloseCoreAsync(CancellationToken cancellationToken)
    {
        ZooKeeperConnection? connection;
        Task? sessionLoop;
        long sessionId;
        TimeSpan sessionTimeout;
        lock (_gate)
        {
            _closing = true;
            sessionTimeout = CurrentSessionTimeout;
            connection = _state == ZooKeeperState.Connected ? _connection : null;
            sessionLoop = _sessionLoop;
            sessionId = _sessionId;
            // Wakes callers waiting for a connection: they now throw ObjectDisposedException.
            _stateChanged.TrySetResult();
            _stateChanged = NewSignal();
        }

        if (connection is not null)
        {
            // Bounded: past the session timeout the server has ended the session by itself anyway.
            using var deadline = new CancellationTokenSource(sessionTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            try
            {
                var request = new OutgoingRequest(RequestKind.Ordinary, Requests.CloseSession(), null);
                Reply reply = await connection.SendAsync(request, linked.Token).ConfigureAwait(false);
                if (reply.Error == ZooKeeperErrorCode.Ok)
                    SessionClosed(_logger, sessionId);
                else
                    CloseRefused(_logger, sessionId, reply.Error.ToString());
            }
            catch (Exception e) when (e is ZooKeeperException or ConnectionClosedException or OperationCanceledException)
            {
                CloseRefused(_logger, sessionId, e.Message);
            }
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        connection?.Fail(new IOException("the client closed the session"));
        if (sessionLoop is not null)
            await sessionLoop.ConfigureAwait(false);

        bool expired;
        lock (_gate)
        {
            expired = _state == ZooKeeperState.Expired;
            // An expired session stays Expired: closing it only releases the client.
            if (!expired)
                SetState(ZooKeeperState.Closed, null);
        }
        if (!expired)
            NotifyWatchersOfEnd(ZooKeeperState.Closed);
        await _events.DisposeAsync().ConfigureAwait(false);
        _lifetime.Dispose();
    }

    /// <summary>Credentials added with AddAuth, kept to send again on every new connection.</summary>
    private sealed record Credentials(string Scheme, byte[] Data);
}
