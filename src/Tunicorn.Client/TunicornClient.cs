using System.Linq.Expressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Thrift;
using Thrift.Protocol;
using Thrift.Transport;
using Tunicorn.Client.Balancing;
using Tunicorn.Client.Discovery;
using Tunicorn.Client.Pooling;

namespace Tunicorn.Client;

/// <summary>
/// Calls a Thrift service on whichever of its servers is live: a view of the servers kept by the discovery (a watch
/// on the registry, or a static list), a pool of connections per server, a balancing policy per call, fail-over when
/// a server cannot be connected to, ejection of a server that keeps failing, and a deadline per call.
/// </summary>
/// <remarks>
/// A call is retried on another server only when it was never sent: the connection could not be opened, or an idle
/// one was found closed before use. A call that failed after it was written is not retried (the server may have run
/// it); it fails with the transport's exception. Thread-safe: one instance serves any number of concurrent calls.
/// </remarks>
/// <typeparam name="TClient">The generated client, e.g. <c>tutorial.Calculator.Client</c>.</typeparam>
public sealed class TunicornClient<TClient> : IAsyncDisposable
    where TClient : TBaseClient
{
    private readonly TunicornClientOptions _options;
    private readonly Func<TProtocol, TBaseClient> _createClient;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _disposed = new();
    private Dictionary<string, ServerState> _byId = new(StringComparer.Ordinal);
    private ServerState[] _view = [];
    private TaskCompletionSource _serversAvailable = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _started;

    /// <param name="options">Where the servers come from and how to talk to them.</param>
    /// <param name="createClient">Builds the generated client on a connection's protocol; by default its (TProtocol) constructor.</param>
    public TunicornClient(TunicornClientOptions options, Func<TProtocol, TClient>? createClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Discovery);
        if (options.EjectAfterFailures < 1 || options.MaxIdleConnectionsPerServer < 0 || options.ConnectTimeout <= TimeSpan.Zero)
            throw new ArgumentException("EjectAfterFailures must be 1 or more, MaxIdleConnectionsPerServer 0 or more and ConnectTimeout positive", nameof(options));
        _options = options;
        _createClient = createClient ?? DefaultFactory();
        _log = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("tunicorn.client");
    }

    /// <summary>The servers the client knows now, in a stable order.</summary>
    public IReadOnlyList<ServiceInstance> Servers => [.. Volatile.Read(ref _view).Select(s => s.Instance)];

    /// <summary>Starts the discovery; the first call does it when this was not called.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            return _started ??= _options.Discovery.StartAsync(OnServers, _disposed.Token);
        }
    }

    /// <summary>Runs <paramref name="call"/> with a pooled client on a server the policy picks.</summary>
    /// <exception cref="NoServerAvailableException">No server is known, or none accepted a connection: nothing was sent.</exception>
    /// <exception cref="CallTimeoutException">The deadline passed.</exception>
    public async Task<TResult> CallAsync<TResult>(Func<TClient, CancellationToken, Task<TResult>> call, CallOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        var timeout = options?.Timeout ?? _options.CallTimeout;
        using var deadline = Deadline(timeout, cancellationToken);
        var (server, connection) = await AcquireAsync(options?.HashKey, timeout, deadline.Token, cancellationToken).ConfigureAwait(false);
        server.CallStarted();
        try
        {
            var result = await call((TClient)connection.Client, deadline.Token).ConfigureAwait(false);
            server.RecordSuccess();
            server.Pool.Return(connection);
            return result;
        }
        catch (Exception e) when (ServerAnswered(e))
        {
            // A declared exception or the server's TApplicationException: the reply was read whole, the connection is clean.
            server.RecordSuccess();
            server.Pool.Return(connection);
            throw;
        }
        catch (Exception e)
        {
            connection.Dispose();
            if (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                throw new CallTimeoutException($"call to {server.Instance.Address} passed its deadline of {timeout.TotalMilliseconds:0} ms", requestSent: true, e);
            if (!cancellationToken.IsCancellationRequested)
            {
                ClientLog.CallFailed(_log, server.Instance.Address, e.Message);
                server.RecordFailure(e.Message);
                server.Pool.DrainIdle();
            }
            throw;
        }
        finally
        {
            server.CallEnded();
        }
    }

    /// <summary>Runs a call without a result (a void or oneway method).</summary>
    public Task CallAsync(Func<TClient, CancellationToken, Task> call, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return CallAsync<bool>(async (client, token) =>
        {
            await call(client, token).ConfigureAwait(false);
            return true;
        }, options, cancellationToken);
    }

    /// <summary>Lends a pooled connection on one server for several calls; the deadline covers getting it.</summary>
    public async Task<ClientLease<TClient>> LeaseAsync(CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        var timeout = options?.Timeout ?? _options.CallTimeout;
        using var deadline = Deadline(timeout, cancellationToken);
        var (server, connection) = await AcquireAsync(options?.HashKey, timeout, deadline.Token, cancellationToken).ConfigureAwait(false);
        server.CallStarted();
        return new ClientLease<TClient>(server, connection);
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed.IsCancellationRequested)
                return;
            _disposed.Cancel();
        }
        await _options.Discovery.DisposeAsync().ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var server in _view)
                server.Dispose();
            _view = [];
            _byId = new(StringComparer.Ordinal);
        }
        _disposed.Dispose();
    }

    private CancellationTokenSource Deadline(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        if (timeout != Timeout.InfiniteTimeSpan)
            deadline.CancelAfter(timeout);
        return deadline;
    }

    /// <summary>Picks a server and gets a connection to it, trying the next server while connections fail.</summary>
    private async Task<(ServerState Server, PooledConnection Connection)> AcquireAsync(string? key, TimeSpan timeout, CancellationToken deadline,
        CancellationToken cancellationToken)
    {
        HashSet<ServerState>? tried = null;
        Exception? lastError = null;
        try
        {
            await StartAsync(deadline).ConfigureAwait(false);
            while (true)
            {
                if (Volatile.Read(ref _view).Length == 0)
                    await WaitForServersAsync(deadline).ConfigureAwait(false);
                var server = Pick(tried, key);
                if (server is null)
                {
                    throw new NoServerAvailableException(
                        $"none of the {Volatile.Read(ref _view).Length} servers from {_options.Discovery.Description} accepted a connection" +
                        (lastError is null ? "" : ": " + lastError.Message), lastError);
                }
                try
                {
                    return (server, await server.Pool.AcquireAsync(deadline).ConfigureAwait(false));
                }
                catch (Exception e) when (!deadline.IsCancellationRequested)
                {
                    // Nothing was sent: fail over to another server.
                    ClientLog.ConnectFailed(_log, server.Instance.Address, e.Message);
                    server.RecordFailure(e.Message);
                    (tried ??= []).Add(server);
                    lastError = e;
                }
            }
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                                                   && !_disposed.IsCancellationRequested)
        {
            string waiting = Volatile.Read(ref _view).Length == 0 ? $"no server from {_options.Discovery.Description} yet" : "connecting";
            throw new CallTimeoutException($"the call's deadline of {timeout.TotalMilliseconds:0} ms passed ({waiting})", requestSent: false, lastError ?? e);
        }
    }

    private async Task WaitForServersAsync(CancellationToken cancellationToken)
    {
        Task available;
        lock (_gate)
            available = _serversAvailable.Task;
        await available.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The policy's pick among the servers to use now: not tried by this call, not ejected, weight above 0. When that
    /// leaves none, weight 0 servers; then ejected ones (better a doubtful server than a certain failure).
    /// </summary>
    private ServerState? Pick(HashSet<ServerState>? tried, string? key)
    {
        var view = Volatile.Read(ref _view);
        if (view.Length == 0)
            return null;
        long now = _options.TimeProvider.GetTimestamp();
        bool allUsable = tried is null;
        foreach (var server in view)
            allUsable &= server.Instance.Weight > 0 && !server.IsEjected(now);
        IReadOnlyList<IBalancedServer> candidates = allUsable
            ? view
            : Candidates(view, tried, s => s.Instance.Weight > 0 && !s.IsEjected(now)) is { Count: > 0 } preferred
                ? preferred
                : Candidates(view, tried, s => !s.IsEjected(now)) is { Count: > 0 } unweighted
                    ? unweighted
                    : Candidates(view, tried, _ => true);
        return candidates.Count == 0 ? null : (ServerState)_options.Balancing.Pick(candidates, key);
    }

    private static List<IBalancedServer> Candidates(ServerState[] view, HashSet<ServerState>? tried, Func<ServerState, bool> usable) =>
        [.. view.Where(s => (tried is null || !tried.Contains(s)) && usable(s))];

    /// <summary>The discovery's new set: keep the state (pool, failures) of servers that stay, close the pools of those that left.</summary>
    private void OnServers(IReadOnlyList<ServiceInstance> instances)
    {
        int joined = 0, left = 0, count;
        lock (_gate)
        {
            if (_disposed.IsCancellationRequested)
                return;
            var next = new Dictionary<string, ServerState>(StringComparer.Ordinal);
            var addresses = new HashSet<string>(StringComparer.Ordinal);
            foreach (var instance in instances.OrderBy(i => i.Id, StringComparer.Ordinal))
            {
                // One server announced twice (a ZooKeeper member of an expired session that the server has not
                // removed yet, next to the new one) is still one server: it gets one share of the calls.
                if (next.ContainsKey(instance.Id) || !addresses.Add(instance.Address))
                    continue;
                if (_byId.TryGetValue(instance.Id, out var known) && SameConnection(known.Instance, instance))
                {
                    known.Instance = instance;
                    next[instance.Id] = known;
                }
                else
                {
                    next[instance.Id] = new ServerState(instance, new ConnectionPool(instance, _options, _createClient), _options, _log);
                    joined++;
                }
            }
            foreach (var (id, state) in _byId)
            {
                if (!next.TryGetValue(id, out var kept) || !ReferenceEquals(kept, state))
                {
                    state.Dispose();
                    left++;
                }
            }
            _byId = next;
            Volatile.Write(ref _view, [.. next.Values.OrderBy(s => s.Instance.Id, StringComparer.Ordinal)]);
            count = next.Count;
            if (count > 0)
                _serversAvailable.TrySetResult();
            else if (_serversAvailable.Task.IsCompleted)
                _serversAvailable = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        if (joined > 0 || left > 0)
            ClientLog.ServersChanged(_log, _options.Discovery.Description, count, joined, left);
    }

    private static bool SameConnection(ServiceInstance a, ServiceInstance b) =>
        a.Host == b.Host && a.Port == b.Port && a.Protocol == b.Protocol && a.Transport == b.Transport;

    /// <summary>
    /// Whether the server answered: a declared exception or a TApplicationException it sent. Transport and protocol
    /// errors, and application errors that mean the stream is out of step, leave the connection unusable.
    /// </summary>
    private static bool ServerAnswered(Exception e) => e switch
    {
        TTransportException or TProtocolException => false,
        TApplicationException app => app.Type is not (TApplicationException.ExceptionType.BadSequenceId
            or TApplicationException.ExceptionType.WrongMethodName or TApplicationException.ExceptionType.InvalidMessageType
            or TApplicationException.ExceptionType.ProtocolError),
        TException => true,
        _ => false,
    };

    private static Func<TProtocol, TBaseClient> DefaultFactory()
    {
        var constructor = typeof(TClient).GetConstructor([typeof(TProtocol)])
            ?? throw new ArgumentException($"{typeof(TClient).FullName} has no constructor taking a TProtocol; pass createClient");
        var protocol = Expression.Parameter(typeof(TProtocol), "protocol");
        return Expression.Lambda<Func<TProtocol, TBaseClient>>(Expression.New(constructor, protocol), protocol).Compile();
    }
}
