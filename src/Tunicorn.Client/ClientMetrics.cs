using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Tunicorn.Client.Discovery;
using Tunicorn.Client.Pooling;
using static Tunicorn.Client.ClientTelemetryNames;

namespace Tunicorn.Client;

/// <summary>
/// The client's instruments on the meter "Tunicorn.Client". One set per meter, shared by the clients that use it: a
/// meter factory hands the same meter to each client that asks, and the static meter serves clients given none, so a
/// client created per request adds no instruments. The observable ones read the servers of every client registered.
/// </summary>
internal sealed class ClientMetrics
{
    private static readonly string? Version = typeof(ClientMetrics).Assembly.GetName().Version?.ToString();
    private static readonly Lazy<ClientMetrics> Static = new(() => new ClientMetrics(new Meter(Source, Version)));
    private static readonly ConditionalWeakTable<Meter, ClientMetrics> ByMeter = new();

    // The boundaries semconv advises for rpc.client.call.duration (seconds).
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly Lock _gate = new();
    private ObservedClient[] _clients = [];

    private ClientMetrics(Meter meter)
    {
        CallDuration = meter.CreateHistogram<double>(ClientTelemetryNames.CallDuration, "s", "Duration of calls: from CallAsync to its result or exception, waiting for a server, connecting and retries included",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        Retries = meter.CreateCounter<long>(ClientTelemetryNames.Retries, "{retry}", "Calls sent again to another server after they failed on one (idempotent calls only)");
        Hedges = meter.CreateCounter<long>(ClientTelemetryNames.Hedges, "{hedge}", "Calls sent to another server as well because the first had not answered within CallOptions.HedgeAfter (idempotent calls only)");
        Ejections = meter.CreateCounter<long>(ClientTelemetryNames.Ejections, "{ejection}", "Servers left out of the balancing after failures in a row");
        meter.CreateObservableUpDownCounter(Connections, ObserveConnections, "{connection}", "Connections to each server, idle in its pool or used by a call or lease");
        meter.CreateObservableUpDownCounter(Servers, ObserveServers, "{server}", "Servers the discovery reports for each service, available or ejected");
    }

    public Histogram<double> CallDuration { get; }

    public Counter<long> Retries { get; }

    public Counter<long> Hedges { get; }

    public Counter<long> Ejections { get; }

    /// <summary>The instruments on <paramref name="factory"/>'s meter "Tunicorn.Client", or on the static one.</summary>
    public static ClientMetrics For(IMeterFactory? factory)
    {
        if (factory is null)
            return Static.Value;
        var meter = factory.Create(new MeterOptions(Source) { Version = Version });
        return ByMeter.GetValue(meter, m => new ClientMetrics(m));
    }

    /// <summary>
    /// Observes a client's servers until <see cref="Unregister"/>. Held weakly: a client never disposed stops being
    /// observed once collected, and is not kept alive by the meter.
    /// </summary>
    public void Register(object owner, string service, Func<ServerState[]> view, TimeProvider time)
    {
        lock (_gate)
            _clients = [.. _clients.Where(c => c.Owner.IsAlive), new ObservedClient(new WeakReference(owner), new WeakReference<Func<ServerState[]>>(view), service, time)];
    }

    public void Unregister(object owner)
    {
        lock (_gate)
            _clients = [.. _clients.Where(c => c.Owner.IsAlive && !ReferenceEquals(c.Owner.Target, owner))];
    }

    public void Ejected(ServiceInstance server)
    {
        if (Ejections.Enabled)
            Ejections.Add(1, ServerTags(server));
    }

    public static TagList ServerTags(ServiceInstance server) => new()
    {
        { ServerAddress, server.Host },
        { ServerPort, server.Port },
    };

    /// <summary>Per server (summed over the clients that use it): idle connections in its pool, and used ones (calls and leases in flight).</summary>
    private IEnumerable<Measurement<long>> ObserveConnections()
    {
        var counts = new Dictionary<(string Host, int Port), (long Idle, long Used)>();
        foreach (var view in Views())
        {
            foreach (var server in view.Servers)
            {
                var key = (server.Instance.Host, server.Instance.Port);
                var (idle, used) = counts.GetValueOrDefault(key);
                counts[key] = (idle + server.Pool.IdleCount, used + server.OutstandingRequests);
            }
        }
        foreach (var ((host, port), (idle, used)) in counts)
        {
            yield return new Measurement<long>(idle, new(ServerAddress, host), new(ServerPort, port), new(ConnectionStateAttribute, "idle"));
            yield return new Measurement<long>(used, new(ServerAddress, host), new(ServerPort, port), new(ConnectionStateAttribute, "used"));
        }
    }

    /// <summary>Per service (summed over its clients): the servers known, available or ejected now.</summary>
    private IEnumerable<Measurement<long>> ObserveServers()
    {
        var counts = new Dictionary<string, (long Available, long Ejected)>(StringComparer.Ordinal);
        foreach (var view in Views())
        {
            long now = view.Time.GetTimestamp();
            var (available, ejected) = counts.GetValueOrDefault(view.Service);
            foreach (var server in view.Servers)
            {
                if (server.IsEjected(now))
                    ejected++;
                else
                    available++;
            }
            counts[view.Service] = (available, ejected);
        }
        foreach (var (service, (available, ejected)) in counts)
        {
            yield return new Measurement<long>(available, new(ServiceAttribute, service), new(ServerStateAttribute, "available"));
            yield return new Measurement<long>(ejected, new(ServiceAttribute, service), new(ServerStateAttribute, "ejected"));
        }
    }

    private List<(string Service, ServerState[] Servers, TimeProvider Time)> Views()
    {
        var views = new List<(string, ServerState[], TimeProvider)>();
        foreach (var client in Volatile.Read(ref _clients))
        {
            if (client.View.TryGetTarget(out var view))
                views.Add((client.Service, view(), client.Time));
        }
        return views;
    }

    private sealed record ObservedClient(WeakReference Owner, WeakReference<Func<ServerState[]>> View, string Service, TimeProvider Time);
}
