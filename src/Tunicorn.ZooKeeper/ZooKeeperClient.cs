using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tunicorn.ZooKeeper.Addressing;
using Tunicorn.ZooKeeper.Connection;
using Tunicorn.ZooKeeper.Events;
using Tunicorn.ZooKeeper.Protocol;

namespace Tunicorn.ZooKeeper;

/// <summary>
/// A ZooKeeper session over ZooKeeper's wire protocol. <see cref="ConnectAsync"/> establishes the session; the
/// client then keeps it: it pings, and when the connection drops it reconnects to a server of the ensemble with
/// the same session, re-sending its credentials and re-registering its watches, so that ephemeral nodes and
/// watches survive. Requests sent when the connection dropped fail with <see cref="ZooKeeperErrorCode.ConnectionLoss"/>;
/// requests made while reconnecting wait. When the session expires (see <see cref="ZooKeeperState.Expired"/>),
/// every call throws <see cref="ZooKeeperErrorCode.SessionExpired"/>: a new client makes a new session.
/// Watchers and <see cref="StateChanged"/> handlers run one at a time, in order, on a loop of the client's own.
/// </summary>
public sealed partial class ZooKeeperClient : IAsyncDisposable
{
    private readonly ZooKeeperClientOptions _options;
    private readonly string? _chroot;
    private readonly IReadOnlyList<ServerAddress> _servers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly WatchManager _watches = new();
    private readonly EventDispatcher _events;

    public ZooKeeperClient(ZooKeeperClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SessionTimeout <= TimeSpan.Zero || options.SessionTimeout.TotalMilliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(options), options.SessionTimeout, "SessionTimeout must be positive and below 24 days");
        if (options.MaxFrameLength < 1024)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxFrameLength, "MaxFrameLength must be at least 1024 bytes");
        ConnectString connectString = ConnectString.Parse(options.ConnectString);
        _options = options;
        _chroot = connectString.Chroot;
        _time = options.TimeProvider;
        _random = options.Random ?? Random.Shared;
        ServerAddress[] servers = [.. connectString.Servers];
        // Shuffled once, so that the clients of a service spread over the ensemble instead of all taking the first server.
        _random.Shuffle(servers);
        _servers = servers;
        _logger = options.LoggerFactory?.CreateLogger<ZooKeeperClient>() ?? (ILogger)NullLogger.Instance;
        _events = new EventDispatcher(_logger);
        _sessionId = options.SessionId;
        _password = options.SessionPassword.ToArray();
    }

    /// <summary>The session's state changed. Raised on the client's event loop, in order; see <see cref="ZooKeeperState"/>.</summary>
    public event EventHandler<ZooKeeperStateChangedEventArgs>? StateChanged;

    public ZooKeeperState State
    {
        get
        {
            lock (_gate)
                return _state;
        }
    }

    /// <summary>The session id (0 before the first session); an ephemeral node's <see cref="ZooKeeperStat.EphemeralOwner"/>.</summary>
    public long SessionId
    {
        get
        {
            lock (_gate)
                return _sessionId;
        }
    }

    /// <summary>The session's password: with <see cref="SessionId"/>, what another client needs to resume this session.</summary>
    public ReadOnlyMemory<byte> SessionPassword
    {
        get
        {
            lock (_gate)
                return _password.ToArray();
        }
    }

    /// <summary>The session timeout the server granted, or the one asked for until then.</summary>
    public TimeSpan SessionTimeout
    {
        get
        {
            lock (_gate)
                return CurrentSessionTimeout;
        }
    }

    /// <summary>The server of the current connection, as <c>host:port</c>; null while not connected.</summary>
    public string? ConnectedServer
    {
        get
        {
            lock (_gate)
                return _state == ZooKeeperState.Connected ? _connection?.Server.ToString() : null;
        }
    }

    /// <summary>
    /// Starts the session and waits until a server has granted it (or, with <see cref="ZooKeeperClientOptions.SessionId"/>,
    /// resumed it). Servers are tried in turn until one answers; cancel to give up, then dispose the client.
    /// </summary>
    /// <exception cref="ZooKeeperException">SessionExpired: the session to resume has expired.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closing, this);
            _sessionLoop ??= Task.Run(RunSessionAsync, CancellationToken.None);
        }
        await WaitForConnectionAsync(null, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a node and returns its path (for a sequential node, with the counter the server appended).</summary>
    /// <param name="path">For sequential modes the path may end in '/': the counter is then the whole name.</param>
    /// <exception cref="ZooKeeperException">NodeExists, NoNode (no parent), NoChildrenForEphemerals, NoAuth, InvalidAcl, ConnectionLoss, SessionExpired.</exception>
    public async Task<string> CreateAsync(string path, ReadOnlyMemory<byte> data, IReadOnlyList<ZooKeeperAcl> acl,
        ZooKeeperCreateMode mode = ZooKeeperCreateMode.Persistent, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path, mode is ZooKeeperCreateMode.PersistentSequential or ZooKeeperCreateMode.EphemeralSequential);
        ArgumentNullException.ThrowIfNull(acl);
        // The server would refuse it too, after a round trip (the Java client checks first as well).
        if (acl.Count == 0)
            throw new ZooKeeperException(ZooKeeperErrorCode.InvalidAcl, path);
        byte[] frame = Requests.Create(ServerPath(path), data.Span, acl, mode);
        Reply reply = await ExecuteAsync(frame, path, null, cancellationToken).ConfigureAwait(false);
        ThrowOnError(reply, path);
        var reader = new JuteReader(reply.Body.Span);
        return ClientPath(reader.ReadRequiredString("created path"));
    }

    /// <summary>Deletes a node that has no children.</summary>
    /// <param name="version">The version the node must have, or -1 for any.</param>
    /// <exception cref="ZooKeeperException">NoNode, BadVersion, NotEmpty, NoAuth, ConnectionLoss, SessionExpired.</exception>
    public async Task DeleteAsync(string path, int version = -1, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        Reply reply = await ExecuteAsync(Requests.Delete(ServerPath(path), version), path, null, cancellationToken).ConfigureAwait(false);
        ThrowOnError(reply, path);
    }

    /// <summary>The node's metadata, or null if there is no such node.</summary>
    /// <param name="watcher">Called once when the node is created (if absent) or changed or deleted (if present).</param>
    public async Task<ZooKeeperStat?> ExistsAsync(string path, Action<ZooKeeperWatchEvent>? watcher = null,
        CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        Action<ZooKeeperErrorCode>? register = watcher is null ? null : error =>
        {
            // As the server does: a watch on a present node is a data watch, on an absent one an exist watch.
            if (error == ZooKeeperErrorCode.Ok)
                _watches.Add(WatchKind.Data, path, watcher);
            else if (error == ZooKeeperErrorCode.NoNode)
                _watches.Add(WatchKind.Exist, path, watcher);
        };
        byte[] frame = Requests.PathAndWatch(OpCode.Exists, ServerPath(path), watcher is not null);
        Reply reply = await ExecuteAsync(frame, path, register, cancellationToken).ConfigureAwait(false);
        if (reply.Error == ZooKeeperErrorCode.NoNode)
            return null;
        ThrowOnError(reply, path);
        var reader = new JuteReader(reply.Body.Span);
        return reader.ReadStat();
    }

    /// <summary>The node's data and metadata.</summary>
    /// <param name="watcher">Called once when the node's data changes or the node is deleted.</param>
    /// <exception cref="ZooKeeperException">NoNode (no watch is left then), NoAuth, ConnectionLoss, SessionExpired.</exception>
    public async Task<ZooKeeperData> GetDataAsync(string path, Action<ZooKeeperWatchEvent>? watcher = null,
        CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        byte[] frame = Requests.PathAndWatch(OpCode.GetData, ServerPath(path), watcher is not null);
        Reply reply = await ExecuteAsync(frame, path, Register(WatchKind.Data, path, watcher), cancellationToken).ConfigureAwait(false);
        ThrowOnError(reply, path);
        var reader = new JuteReader(reply.Body.Span);
        byte[] data = reader.ReadBuffer();
        return new ZooKeeperData(data, reader.ReadStat());
    }

    /// <summary>Replaces the node's data and returns its new metadata.</summary>
    /// <param name="version">The version the node must have, or -1 for any.</param>
    /// <exception cref="ZooKeeperException">NoNode, BadVersion, NoAuth, ConnectionLoss, SessionExpired.</exception>
    public async Task<ZooKeeperStat> SetDataAsync(string path, ReadOnlyMemory<byte> data, int version = -1,
        CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        Reply reply = await ExecuteAsync(Requests.SetData(ServerPath(path), data.Span, version), path, null, cancellationToken).ConfigureAwait(false);
        ThrowOnError(reply, path);
        var reader = new JuteReader(reply.Body.Span);
        return reader.ReadStat();
    }

    /// <summary>The names of the node's children and the node's metadata (getChildren2).</summary>
    /// <param name="watcher">Called once when a child is added or removed, or the node is deleted.</param>
    /// <exception cref="ZooKeeperException">NoNode (no watch is left then), NoAuth, ConnectionLoss, SessionExpired.</exception>
    public async Task<ZooKeeperChildren> GetChildrenAsync(string path, Action<ZooKeeperWatchEvent>? watcher = null,
        CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        byte[] frame = Requests.PathAndWatch(OpCode.GetChildren2, ServerPath(path), watcher is not null);
        Reply reply = await ExecuteAsync(frame, path, Register(WatchKind.Child, path, watcher), cancellationToken).ConfigureAwait(false);
        ThrowOnError(reply, path);
        var reader = new JuteReader(reply.Body.Span);
        List<string> children = reader.ReadStrings("child name");
        return new ZooKeeperChildren(children, reader.ReadStat());
    }

    /// <summary>The node's ACL.</summary>
    /// <exception cref="ZooKeeperException">NoNode, ConnectionLoss, SessionExpired.</exception>
    public async Task<IReadOnlyList<ZooKeeperAcl>> GetAclAsync(string path, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        Reply reply = await ExecuteAsync(Requests.PathOnly(OpCode.GetAcl, ServerPath(path)), path, null, cancellationToken).ConfigureAwait(false);
        ThrowOnError(reply, path);
        var reader = new JuteReader(reply.Body.Span);
        return reader.ReadAcls();
    }

    /// <summary>Waits until the connected server has caught up with the leader for <paramref name="path"/>, so that the next read sees every write committed before.</summary>
    public async Task SyncAsync(string path, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        Reply reply = await ExecuteAsync(Requests.PathOnly(OpCode.Sync, ServerPath(path)), path, null, cancellationToken).ConfigureAwait(false);
        ThrowOnError(reply, path);
    }

    /// <summary>
    /// Adds credentials to the session's connections. They are sent again on every reconnect (the server keeps them
    /// per connection), also when this call fails with ConnectionLoss.
    /// </summary>
    /// <exception cref="ZooKeeperException">AuthFailed: the server refused them (it also drops the connection).</exception>
    public async Task AddAuthAsync(string scheme, ReadOnlyMemory<byte> auth, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        var credentials = new Credentials(scheme, auth.ToArray());
        lock (_gate)
            _credentials.Add(credentials);
        var request = new OutgoingRequest(RequestKind.Auth, Requests.Auth(scheme, auth.Span), null);
        Reply reply = await SendAsync(request, null, cancellationToken).ConfigureAwait(false);
        if (reply.Error != ZooKeeperErrorCode.Ok)
        {
            lock (_gate)
                _credentials.Remove(credentials);
            throw new ZooKeeperException(reply.Error);
        }
    }

    /// <summary>Authenticates as a digest user: nodes whose ACL has <see cref="ZooKeeperAcls.Digest"/> of the same user and password become accessible.</summary>
    public Task AddDigestAuthAsync(string user, string password, CancellationToken cancellationToken = default)
    {
        // Validates the user name the way the digest identity needs it.
        _ = ZooKeeperAcls.DigestId(user, password);
        return AddAuthAsync("digest", Encoding.UTF8.GetBytes($"{user}:{password}"), cancellationToken);
    }

    /// <summary>
    /// Closes the session: the server deletes its ephemeral nodes at once (instead of after the session timeout),
    /// then the connection is closed and remaining watchers get a final <see cref="ZooKeeperEventType.None"/> event.
    /// Later calls throw <see cref="ObjectDisposedException"/>. Without a connection the session is left to expire.
    /// </summary>
    public Task CloseAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            // Run elsewhere: CloseCoreAsync takes this lock itself.
            return _close ??= Task.Run(() => CloseCoreAsync(cancellationToken), CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync() => await CloseAsync(CancellationToken.None).ConfigureAwait(false);

    private string ServerPath(string path) => ZooKeeperPath.ToServer(_chroot, path);

    private string ClientPath(string serverPath) => ZooKeeperPath.ToClient(_chroot, serverPath);

    private Action<ZooKeeperErrorCode>? Register(WatchKind kind, string path, Action<ZooKeeperWatchEvent>? watcher) =>
        watcher is null ? null : error =>
        {
            // A failed read leaves no watch on the server, so none here either.
            if (error == ZooKeeperErrorCode.Ok)
                _watches.Add(kind, path, watcher);
        };

    private static void ThrowOnError(Reply reply, string path)
    {
        if (reply.Error != ZooKeeperErrorCode.Ok)
            throw new ZooKeeperException(reply.Error, path);
    }

    private Task<Reply> ExecuteAsync(byte[] frame, string path, Action<ZooKeeperErrorCode>? onReply, CancellationToken cancellationToken) =>
        SendAsync(new OutgoingRequest(RequestKind.Ordinary, frame, path, onReply), path, cancellationToken);

    /// <summary>
    /// Sends on the current connection, waiting for one while reconnecting. A request that never left (the
    /// connection was found closed) is sent on the next connection; one that did leave fails with ConnectionLoss,
    /// because whether the server applied it is unknown.
    /// </summary>
    private async Task<Reply> SendAsync(OutgoingRequest request, string? path, CancellationToken cancellationToken)
    {
        ZooKeeperConnection? closed = null;
        while (true)
        {
            ZooKeeperConnection connection = await WaitForConnectionAsync(path, closed, cancellationToken).ConfigureAwait(false);
            try
            {
                return await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (ConnectionClosedException)
            {
                closed = connection;
            }
        }
    }
}
