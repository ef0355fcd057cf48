using System.Collections.Concurrent;
using System.Diagnostics;
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
/// a server cannot be connected to, ejection of a server that keeps failing or timing out, and a deadline per call
/// that holds whatever the call's code does.
/// </summary>
/// <remarks>
/// <para>A call is tried on another server when it was never sent: the connection could not be opened, or an idle one
/// was found closed before use. A call that failed after it was written is tried again only when
/// <see cref="CallOptions.Idempotent"/> says that is safe, and the retry budget allows it; such a call may also be
/// hedged (<see cref="CallOptions.HedgeAfter"/>): sent to a second server when the first is slow to answer.</para>
/// <para>Errors: every failure that is not the service's own answer is a <see cref="CallFailedException"/> (its
/// subclasses <see cref="CallTimeoutException"/> and <see cref="NoServerAvailableException"/> included) with the
/// server, whether the request was sent, the reason, and the cause as its inner exception. Cancelling the caller's
/// token gives an <see cref="OperationCanceledException"/>; a call on a disposed client an
/// <see cref="ObjectDisposedException"/> naming the client.</para>
/// <para>Observability: the meter and activity source "Tunicorn.Client" (rpc.client.call.duration, a span per call),
/// <see cref="CallOptions.OnCompleted"/> for the server each call went to, and <see cref="ServersChanged"/>.</para>
/// <para>Thread-safe: one instance serves any number of concurrent calls. Dispose it once done (a second dispose does
/// nothing); calls in flight then fail with <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
/// <typeparam name="TClient">The generated client, e.g. <c>tutorial.Calculator.Client</c>.</typeparam>
public sealed partial class TunicornClient<TClient> : IAsyncDisposable
    where TClient : TBaseClient
{
    private readonly TunicornClientOptions _options;
    private readonly Func<TProtocol, TBaseClient> _createClient;
    private readonly ILogger _log;
    private readonly SharedDiscovery _discovery;
    private readonly Action<IReadOnlyList<ServiceInstance>> _onServers;
    private readonly Lazy<Task> _started;
    private readonly RetryBudget _retryBudget;
    private readonly ClientMetrics _metrics;
    private readonly string _service;
    private readonly Func<ServerState[]> _observedView;
    private readonly Func<string, string> _methodOf;
    private readonly ConcurrentDictionary<string, string> _methods = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Lock _serversChangedGate = new();
    private IReadOnlyList<ServiceInstance>? _serversChangedPending;
    private bool _serversChangedRunning;
    // Never disposed: the deadlines of calls in flight are linked to it, and a call's code may outlive the call.
    private readonly CancellationTokenSource _closing = new();
    private Dictionary<string, ServerState> _byId = new(StringComparer.Ordinal);
    private ServerState[] _view = [];
    private TaskCompletionSource _serversAvailable = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _disposal;
    private volatile bool _disposed;

    /// <param name="options">Where the servers come from and how to talk to them.</param>
    /// <param name="createClient">Builds the generated client on a connection's protocol; by default its (TProtocol) constructor.</param>
    public TunicornClient(TunicornClientOptions options, Func<TProtocol, TClient>? createClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.EjectAfterFailures < 1 || options.MaxIdleConnectionsPerServer < 0 || options.ConnectTimeout <= TimeSpan.Zero)
            throw new ArgumentException("EjectAfterFailures must be 1 or more, MaxIdleConnectionsPerServer 0 or more and ConnectTimeout positive", nameof(options));
        if (options.WaitForServers < TimeSpan.Zero || options.RetryBudgetRatio < 0 || options.MinRetriesPerSecond < 0)
            throw new ArgumentException("WaitForServers, RetryBudgetRatio and MinRetriesPerSecond must not be negative", nameof(options));
        if (options.SlowCallTime <= TimeSpan.Zero)
            throw new ArgumentException("SlowCallTime must be positive (or null)", nameof(options));
        _options = options;
        _createClient = createClient ?? DefaultFactory();
        _log = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("tunicorn.client");
        _retryBudget = new RetryBudget(options.RetryBudgetRatio, options.MinRetriesPerSecond, options.TimeProvider);
        _metrics = ClientMetrics.For(options.MeterFactory);
        // The service as rpc.method names it: the multiplexed name the servers know it by, else the IDL's service
        // (the generated client is the nested class Client of the service's class).
        _service = options.MultiplexedService ?? (typeof(TClient).DeclaringType ?? typeof(TClient)).Name;
        _methodOf = MethodOf;
        _observedView = () => Volatile.Read(ref _view);
        _onServers = OnServers;
        var discovery = DiscoveryOf(options, out bool created);
        _discovery = SharedDiscovery.Join(discovery, disposeWithLastUser: created || options.DisposeDiscovery);
        _started = new Lazy<Task>(() => _discovery.SubscribeAsync(_onServers), LazyThreadSafetyMode.ExecutionAndPublication);
        _metrics.Register(this, _service, _observedView, options.TimeProvider);
    }

    /// <summary>The servers the client knows now, in a stable order.</summary>
    public IReadOnlyList<ServiceInstance> Servers => [.. Volatile.Read(ref _view).Select(s => s.Instance)];

    /// <summary>
    /// The set of servers changed (one joined, left, or announced a new weight or version): the new <see cref="Servers"/>.
    /// Raised on a thread-pool thread, outside the client's locks, one at a time and in order; sets that follow each
    /// other faster than the handlers run are merged into the latest. An exception a handler throws is logged (event 5030).
    /// </summary>
    public event Action<IReadOnlyList<ServiceInstance>>? ServersChanged;

    /// <summary>Starts the discovery; the first call does it when this was not called.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _started.Value;
    }

    /// <summary>Runs <paramref name="call"/> with a pooled client on a server the policy picks.</summary>
    /// <remarks>
    /// The deadline holds whatever <paramref name="call"/> does with the token it gets: when it passes, the call's
    /// connection is closed (a read or write waiting on it fails at once), it goes back to no pool, and this method
    /// throws <see cref="CallTimeoutException"/> without waiting for <paramref name="call"/> to end.
    /// </remarks>
    /// <exception cref="NoServerAvailableException">No server is known (the registry is unreachable, or has none registered), or none accepted a connection: nothing was sent.</exception>
    /// <exception cref="CallTimeoutException">The deadline passed.</exception>
    /// <exception cref="CallFailedException">The call failed on its connection: closed or reset by the server, or a protocol mismatch (see <see cref="CallFailedException.Reason"/>).</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed, or was while the call was in flight.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<TResult> CallAsync<TResult>(Func<TClient, CancellationToken, Task<TResult>> call, CallOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        if (options?.HedgeAfter is { } hedgeAfter)
            CheckHedging(options, hedgeAfter);
        return CallObserver.Wanted(_metrics, options?.OnCompleted)
            ? ObservedCallAsync(call, options, cancellationToken)
            : SendAsync(call, options, observer: null, cancellationToken);
    }

    /// <summary>A hedged call, or the plain path (one attempt at a time) that every other call takes.</summary>
    private Task<TResult> SendAsync<TResult>(Func<TClient, CancellationToken, Task<TResult>> call, CallOptions? options,
        CallObserver? observer, CancellationToken cancellationToken) =>
        options?.HedgeAfter is { } hedgeAfter
            ? HedgedCallAsync(call, options, hedgeAfter, observer, cancellationToken)
            : CallOnServersAsync(call, options, observer, cancellationToken);

    /// <summary>A call something observes: its span is current while it runs, and its end is recorded whatever it is.</summary>
    private async Task<TResult> ObservedCallAsync<TResult>(Func<TClient, CancellationToken, Task<TResult>> call, CallOptions? options,
        CancellationToken cancellationToken)
    {
        var observer = CallObserver.Start(_metrics, _methodOf, options?.OnCompleted, _log);
        TResult result;
        try
        {
            result = await SendAsync(call, options, observer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            observer.Completed(e);
            throw;
        }
        observer.Completed(null);
        return result;
    }

    private async Task<TResult> CallOnServersAsync<TResult>(Func<TClient, CancellationToken, Task<TResult>> call, CallOptions? options,
        CallObserver? observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ThrowIfDisposed();
        var timeout = options?.Timeout ?? _options.CallTimeout;
        using var deadline = Deadline(timeout, cancellationToken);
        _retryBudget.Deposit();
        HashSet<ServerState>? failedOn = null;
        while (true)
        {
            var (server, connection) = await AcquireAsync(options?.HashKey, timeout, deadline.Token, cancellationToken, failedOn).ConfigureAwait(false);
            server.CallStarted();
            observer?.Attempt(server.Instance);
            connection.Written.Forget();
            bool fresh = connection.Fresh;
            long started = Stopwatch.GetTimestamp();
            Task<TResult> task;
            try
            {
                task = call((TClient)connection.Client, deadline.Token);
            }
            catch (Exception e)
            {
                task = Task.FromException<TResult>(e);
            }
            try
            {
                // Waits for the call or the deadline, whichever comes first: a call that ignores its token does not hold the caller.
                var result = await task.WaitAsync(deadline.Token).ConfigureAwait(false);
                // Read before the connection goes back: the next call on it writes its own name.
                observer?.Wrote(connection.Written.Name);
                RecordAnswer(server, started);
                server.Pool.Return(connection);
                return result;
            }
            catch (Exception e) when (task.IsCompleted && ServerAnswered(e))
            {
                // A declared exception or the server's TApplicationException: the reply was read whole, the connection is clean.
                observer?.Wrote(connection.Written.Name);
                RecordAnswer(server, started);
                server.Pool.Return(connection);
                throw;
            }
            catch (Exception e)
            {
                // The connection is in an unknown state, or the call still runs on it: close it, which also ends any
                // read or write the call's code still waits on, and give it to nobody.
                observer?.Wrote(connection.Written.Name);
                connection.Dispose();
                Abandon(task);
                var failure = CallFailure(e, server, fresh, timeout, deadline, cancellationToken);
                if (failure is CallFailedException { Reason: CallFailureReason.ConnectionClosed or CallFailureReason.ConnectionReset } failed
                    && options?.Idempotent == true && !deadline.IsCancellationRequested && _retryBudget.TryWithdraw())
                {
                    ClientLog.Retrying(_log, server.Instance.Address, failed.Reason.ToString());
                    observer?.Retrying(server.Instance, failed.Reason);
                    (failedOn ??= []).Add(server);
                    continue;
                }
                if (failure is not null)
                    throw failure;
                throw;
            }
            finally
            {
                server.CallEnded();
            }
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

    /// <summary>
    /// Lends a pooled connection on one server for several calls. The deadline (<see cref="CallOptions.Timeout"/>, else
    /// <see cref="TunicornClientOptions.CallTimeout"/>) covers getting it and using it: when it passes, the lent
    /// connection is closed (see <see cref="ClientLease{TClient}"/>).
    /// </summary>
    public async Task<ClientLease<TClient>> LeaseAsync(CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var timeout = options?.Timeout ?? _options.CallTimeout;
        // The lease's own deadline outlives this method: it is not linked to the caller's token, which is for getting it.
        var leaseDeadline = Deadline(timeout, CancellationToken.None);
        try
        {
            using var acquiring = CancellationTokenSource.CreateLinkedTokenSource(leaseDeadline.Token, cancellationToken);
            var (server, connection) = await AcquireAsync(options?.HashKey, timeout, acquiring.Token, cancellationToken, avoid: null).ConfigureAwait(false);
            server.CallStarted();
            return new ClientLease<TClient>(server, connection, leaseDeadline);
        }
        catch
        {
            leaseDeadline.Dispose();
            throw;
        }
    }

    /// <summary>Stops the discovery (or leaves it to the other clients sharing it) and closes every connection. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        TaskCompletionSource? mine = null;
        Task disposal;
        lock (_gate)
        {
            if (_disposal is null)
            {
                _disposed = true;
                mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _disposal = mine.Task;
            }
            disposal = _disposal;
        }
        if (mine is not null)
        {
            try
            {
                await _closing.CancelAsync().ConfigureAwait(false);
                _metrics.Unregister(this);
                await _discovery.LeaveAsync(_onServers).ConfigureAwait(false);
                lock (_gate)
                {
                    foreach (var server in _view)
                        server.Dispose();
                    _view = [];
                    _byId = new(StringComparer.Ordinal);
                }
                mine.SetResult();
            }
            catch (Exception e)
            {
                mine.SetException(e);
            }
        }
        await disposal.ConfigureAwait(false);
    }

    /// <summary>"TunicornClient&lt;testapp.TestService.Client&gt; of etcd http://… /tunicorn/services/TestService/": what errors name.</summary>
    private string Name => $"TunicornClient<{typeof(TClient).FullName?.Replace('+', '.')}> of {_discovery.Description}";

    private void ThrowIfDisposed()
    {
        if (_disposed)
            throw new ObjectDisposedException(Name, "The client is disposed: create a new one.");
    }

    private CancellationTokenSource Deadline(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        if (timeout != Timeout.InfiniteTimeSpan)
            deadline.CancelAfter(timeout);
        return deadline;
    }

    /// <summary>
    /// What a call that failed on its connection throws: null to rethrow <paramref name="error"/> as it is (the
    /// caller's own code threw). Timeouts and connection failures count against the server.
    /// </summary>
    private Exception? CallFailure(Exception error, ServerState server, bool fresh, TimeSpan timeout, CancellationTokenSource deadline,
        CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return new OperationCanceledException("the caller cancelled the call", error, cancellationToken);
        if (_closing.IsCancellationRequested)
            return new ObjectDisposedException(Name, "The client was disposed while the call was in flight.");
        if (deadline.IsCancellationRequested)
        {
            // A hung server accepts connections and answers nothing: its timeouts are all that shows it.
            string reason = $"no answer within the deadline of {timeout.TotalMilliseconds:0} ms";
            ClientLog.CallFailed(_log, server.Instance.Address, reason);
            server.RecordFailure(reason);
            return new CallTimeoutException($"call to {server.Instance.Address} passed its deadline of {timeout.TotalMilliseconds:0} ms without an answer; " +
                "its connection was closed", server.Instance, requestSent: true, error);
        }
        var failed = CallFailures.Wrap(error, server.Instance, server.Pool.WireFormat, fresh);
        if (failed is null)
            return null;
        ClientLog.CallFailed(_log, server.Instance.Address, failed.Message);
        server.RecordFailure(failed.Message);
        server.Pool.DrainIdle();
        return failed;
    }

    /// <summary>An answer counts as a success, unless it came slower than SlowCallTime: then as a failure toward ejection.</summary>
    private void RecordAnswer(ServerState server, long started)
    {
        if (_options.SlowCallTime is { } slow && Stopwatch.GetElapsedTime(started) is var took && took > slow)
            server.RecordFailure($"answered after {took.TotalMilliseconds:0} ms, more than SlowCallTime ({slow.TotalMilliseconds:0} ms)");
        else
            server.RecordSuccess();
    }

    /// <summary>A call given up on may still end later: its outcome is observed, so that it is not an unobserved task exception.</summary>
    private static void Abandon(Task task)
    {
        if (!task.IsCompleted)
        {
            task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Picks a server and gets a connection to it, trying the next server while connections fail. Servers in
    /// <paramref name="avoid"/> (a retry's failed ones) are picked only when no other server is left; servers in
    /// <paramref name="exclude"/> (those a hedge must not go to) never.
    /// </summary>
    private async Task<(ServerState Server, PooledConnection Connection)> AcquireAsync(string? key, TimeSpan timeout, CancellationToken deadline,
        CancellationToken cancellationToken, HashSet<ServerState>? avoid, HashSet<ServerState>? exclude = null)
    {
        HashSet<ServerState>? tried = exclude is null ? null : [.. exclude];
        Exception? lastError = null;
        long start = Stopwatch.GetTimestamp();
        try
        {
            await StartAsync(deadline).ConfigureAwait(false);
            while (true)
            {
                if (Volatile.Read(ref _view).Length == 0)
                    await WaitForServersAsync(start, deadline).ConfigureAwait(false);
                var server = (avoid is null ? null : Pick([.. avoid, .. tried ?? []], key)) ?? Pick(tried, key);
                if (server is null)
                {
                    throw new NoServerAvailableException(
                        $"none of the {Volatile.Read(ref _view).Length} servers from {_discovery.Description} accepted a connection" +
                        (lastError is null ? "" : ": " + lastError.Message), CallFailureReason.ConnectFailed, lastError);
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
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && deadline.IsCancellationRequested)
        {
            if (cancellationToken.IsCancellationRequested)
                throw new OperationCanceledException("the caller cancelled the call", e, cancellationToken);
            if (_closing.IsCancellationRequested)
                throw new ObjectDisposedException(Name, "The client was disposed while the call waited for a server.");
            if (Volatile.Read(ref _view).Length == 0)
                throw NoServers(Stopwatch.GetElapsedTime(start), e);
            throw new CallTimeoutException($"the call's deadline of {timeout.TotalMilliseconds:0} ms passed while connecting", null, requestSent: false, lastError ?? e);
        }
    }

    /// <summary>Waits until the discovery reports a server, up to WaitForServers when set (else up to the deadline).</summary>
    private async Task WaitForServersAsync(long start, CancellationToken deadline)
    {
        Task available;
        lock (_gate)
            available = _serversAvailable.Task;
        if (_options.WaitForServers is not { } wait)
        {
            await available.WaitAsync(deadline).ConfigureAwait(false);
            return;
        }
        var left = wait - Stopwatch.GetElapsedTime(start);
        try
        {
            await available.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, deadline).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw NoServers(Stopwatch.GetElapsedTime(start), e);
        }
    }

    /// <summary>No server known: the registry has not answered yet, or it answered with none.</summary>
    private NoServerAvailableException NoServers(TimeSpan waited, Exception cause) =>
        _discovery.HasAnswered
            ? new NoServerAvailableException($"no servers registered: {_discovery.Description} answered with no server " +
                $"(waited {waited.TotalMilliseconds:0} ms for one)", CallFailureReason.NoServerRegistered, cause)
            : new NoServerAvailableException($"registry unreachable: {_discovery.Description} has not answered in " +
                $"{waited.TotalMilliseconds:0} ms, so no server is known", CallFailureReason.RegistryUnreachable, cause);

    /// <summary>The discovery the options describe; <paramref name="created"/> when the client built it (and so owns it).</summary>
    private static IServiceDiscovery DiscoveryOf(TunicornClientOptions options, out bool created)
    {
        int count = (options.Discovery is null ? 0 : 1) + (options.ZooKeeper is null ? 0 : 1) + (options.Etcd is null ? 0 : 1) + (options.Servers is null ? 0 : 1);
        if (count != 1)
            throw new ArgumentException($"set exactly one of Discovery, ZooKeeper, Etcd and Servers in TunicornClientOptions ({count} set)", nameof(options));
        created = options.Discovery is null;
        return options.Discovery
            ?? (options.ZooKeeper is { } zooKeeper ? new ZooKeeperDiscovery(zooKeeper)
                : options.Etcd is { } etcd ? new EtcdDiscovery(etcd)
                : new StaticDiscovery([.. options.Servers!]));
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
        bool changed = false;
        lock (_gate)
        {
            if (_disposed)
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
                    changed |= !known.Instance.Equals(instance);
                    known.Instance = instance;
                    next[instance.Id] = known;
                }
                else
                {
                    next[instance.Id] = new ServerState(instance, new ConnectionPool(instance, _options, _createClient), _options, _log, _metrics);
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
            ClientLog.ServersChanged(_log, _discovery.Description, count, joined, left);
        if ((joined > 0 || left > 0 || changed) && ServersChanged is not null)
            RaiseServersChanged(Servers);
    }

    /// <summary>
    /// Hands <paramref name="servers"/> to the ServersChanged handlers on a thread-pool thread: this runs under the
    /// discovery's lock, where a handler that blocks, or calls back into the client, would hold up every client of it.
    /// </summary>
    private void RaiseServersChanged(IReadOnlyList<ServiceInstance> servers)
    {
        lock (_serversChangedGate)
        {
            _serversChangedPending = servers;
            if (_serversChangedRunning)
                return;
            _serversChangedRunning = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static client => client.DeliverServersChanged(), this, preferLocal: false);
    }

    private void DeliverServersChanged()
    {
        while (true)
        {
            IReadOnlyList<ServiceInstance> servers;
            lock (_serversChangedGate)
            {
                if (_serversChangedPending is null)
                {
                    _serversChangedRunning = false;
                    return;
                }
                servers = _serversChangedPending;
                _serversChangedPending = null;
            }
            foreach (var handler in ServersChanged?.GetInvocationList() ?? [])
            {
                try
                {
                    ((Action<IReadOnlyList<ServiceInstance>>)handler)(servers);
                }
                catch (Exception e)
                {
                    ClientLog.CallbackFailed(_log, nameof(ServersChanged), e);
                }
            }
        }
    }

    /// <summary>rpc.method for a message name: "Calculator/add" ("Calculator:add" when multiplexed is the same method).</summary>
    private string MethodOf(string message) =>
        _methods.TryGetValue(message, out var method)
            ? method
            : _methods.GetOrAdd(message, m => $"{_service}/{m[(m.IndexOf(':') + 1)..]}");

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
