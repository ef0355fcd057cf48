using Thrift;
using Tunicorn.Client.Discovery;
using Tunicorn.Client.Pooling;

namespace Tunicorn.Client;

/// <summary>
/// A pooled connection lent to the caller for several calls in a row on one server (a conversation, or calls that
/// must reach the same process). Dispose it to give the connection back; call <see cref="Invalidate"/> first when a
/// call on it failed, so that it is closed instead.
/// </summary>
/// <remarks>
/// A lease has a deadline (<see cref="CallOptions.Timeout"/>, else <see cref="TunicornClientOptions.CallTimeout"/>,
/// from the moment it was asked for): when it passes, the connection is closed, so that a call on it that is still
/// waiting fails at once, whether or not it was given <see cref="CancellationToken"/>; the connection goes back to no
/// pool. Pass <see cref="Timeout.InfiniteTimeSpan"/> for a lease without a deadline.
/// </remarks>
public sealed class ClientLease<TClient> : IDisposable, IAsyncDisposable
    where TClient : TBaseClient
{
    private const int Active = 0;
    private const int Expired = 1;
    private const int Returned = 2;

    private readonly ServerState _server;
    private readonly PooledConnection _connection;
    private readonly CancellationTokenSource? _deadline;
    private readonly CancellationTokenRegistration _onDeadline;
    private bool _invalid;
    private int _state;

    internal ClientLease(ServerState server, PooledConnection connection, CancellationTokenSource? deadline)
    {
        _server = server;
        _connection = connection;
        Client = (TClient)connection.Client;
        Server = server.Instance;
        _deadline = deadline;
        CancellationToken = deadline?.Token ?? CancellationToken.None;
        if (deadline is not null)
            _onDeadline = deadline.Token.UnsafeRegister(static lease => ((ClientLease<TClient>)lease!).Expire(), this);
    }

    /// <summary>The generated client, bound to the lent connection. Not for concurrent calls.</summary>
    public TClient Client { get; }

    /// <summary>The server the connection goes to.</summary>
    public ServiceInstance Server { get; }

    /// <summary>Cancelled when the lease's deadline passes; pass it to the calls on <see cref="Client"/>.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>True once the deadline passed: the connection is closed.</summary>
    public bool IsExpired => Volatile.Read(ref _state) == Expired || (_deadline?.IsCancellationRequested ?? false);

    /// <summary>The connection is in an unknown state (a call on it failed or was cancelled): close it on dispose.</summary>
    public void Invalidate() => _invalid = true;

    public void Dispose()
    {
        int previous = Interlocked.Exchange(ref _state, Returned);
        if (previous == Returned)
            return;
        // Waits for an Expire running now, so the connection is never closed after it went back to the pool.
        _onDeadline.Dispose();
        _deadline?.Dispose();
        _server.CallEnded();
        if (previous == Expired)
            return;
        if (_invalid || !_connection.LooksUsable())
        {
            _connection.Dispose();
            if (_invalid)
                _server.RecordFailure("a call on a lent connection failed");
            return;
        }
        _server.RecordSuccess();
        _server.Pool.Return(_connection);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void Expire()
    {
        if (Interlocked.CompareExchange(ref _state, Expired, Active) == Active)
            _connection.Dispose();
    }
}
