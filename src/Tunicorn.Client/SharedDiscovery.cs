using System.Runtime.CompilerServices;
using Tunicorn.Client.Discovery;

namespace Tunicorn.Client;

/// <summary>
/// One discovery shared by every client given the same instance: started once, each of its sets handed to every
/// client (a client that joins late gets the latest set at once), and disposed when the last client leaves, if one of
/// them asked for that. A discovery reports to one callback and starts once; this is what lets several clients use it.
/// </summary>
internal sealed class SharedDiscovery
{
    private static readonly ConditionalWeakTable<IServiceDiscovery, SharedDiscovery> Shared = new();
    private static readonly Lock SharedGate = new();

    private readonly IServiceDiscovery _discovery;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Action<IReadOnlyList<ServiceInstance>>> _subscribers = [];
    private IReadOnlyList<ServiceInstance>? _latest;
    private Task? _started;
    private int _users;
    private bool _disposeWithLastUser;
    private bool _closed;

    private SharedDiscovery(IServiceDiscovery discovery) => _discovery = discovery;

    public string Description => _discovery.Description;

    /// <summary>True once the discovery reported a set (possibly empty): its source answered at least once.</summary>
    public bool HasAnswered => Volatile.Read(ref _latest) is not null;

    /// <summary>A client starts using <paramref name="discovery"/>; it calls <see cref="LeaveAsync"/> when disposed.</summary>
    /// <param name="disposeWithLastUser">Dispose the discovery once no client uses it any more.</param>
    public static SharedDiscovery Join(IServiceDiscovery discovery, bool disposeWithLastUser)
    {
        lock (SharedGate)
        {
            var shared = Shared.GetValue(discovery, d => new SharedDiscovery(d));
            lock (shared._gate)
            {
                if (shared._closed)
                {
                    throw new ObjectDisposedException(discovery.Description,
                        $"the discovery {discovery.Description} was disposed with the last client that used it; to share one discovery " +
                        "between clients that do not live at the same time, set TunicornClientOptions.DisposeDiscovery = false and dispose it yourself");
                }
                shared._users++;
                shared._disposeWithLastUser |= disposeWithLastUser;
            }
            return shared;
        }
    }

    /// <summary>Starts the discovery (the first time) and hands <paramref name="onChange"/> every set from now on, the latest first.</summary>
    public Task SubscribeAsync(Action<IReadOnlyList<ServiceInstance>> onChange)
    {
        lock (_gate)
        {
            _subscribers.Add(onChange);
            if (_latest is { } latest)
                onChange(latest);
            return _started ??= _discovery.StartAsync(Publish, _stop.Token);
        }
    }

    /// <summary>A client stops using the discovery; the last one out disposes it, when asked to.</summary>
    public async ValueTask LeaveAsync(Action<IReadOnlyList<ServiceInstance>>? onChange)
    {
        bool dispose;
        lock (_gate)
        {
            if (onChange is not null)
                _subscribers.Remove(onChange);
            dispose = --_users == 0 && _disposeWithLastUser && !_closed;
            if (dispose)
                _closed = true;
        }
        if (!dispose)
            return;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _discovery.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The discovery's callback: its calls never overlap; the gate orders them with late subscriptions.</summary>
    private void Publish(IReadOnlyList<ServiceInstance> servers)
    {
        lock (_gate)
        {
            Volatile.Write(ref _latest, servers);
            foreach (var subscriber in _subscribers)
                subscriber(servers);
        }
    }
}
