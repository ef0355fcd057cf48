using Thrift;
using Tunicorn.Client.Discovery;
using Tunicorn.Client.Pooling;

namespace Tunicorn.Client;

/// <summary>
/// A pooled connection lent to the caller for several calls in a row on one server (a conversation, or calls that
/// must reach the same process). Dispose it to give the connection back; call <see cref="Invalidate"/> first when a
/// call on it failed, so that it is closed instead.
/// </summary>
public sealed class ClientLease<TClient> : IDisposable, IAsyncDisposable
    where TClient : TBaseClient
{
    private readonly ServerState _server;
    private readonly PooledConnection _connection;
    private bool _invalid;
    private int _disposed;

    internal ClientLease(ServerState server, PooledConnection connection)
    {
        _server = server;
        _connection = connection;
        Client = (TClient)connection.Client;
        Server = server.Instance;
    }

    /// <summary>The generated client, bound to the lent connection. Not for concurrent calls.</summary>
    public TClient Client { get; }

    /// <summary>The server the connection goes to.</summary>
    public ServiceInstance Server { get; }

    /// <summary>The connection is in an unknown state (a call on it failed or was cancelled): close it on dispose.</summary>
    public void Invalidate() => _invalid = true;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _server.CallEnded();
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
}
