namespace Tunicorn.Client.Discovery;

/// <summary>
/// A live view of a service's servers. Implementations watch their source (no polling) and report the whole set each
/// time it changes; when the source is unreachable they keep reporting nothing new, so the client keeps the last set.
/// </summary>
public interface IServiceDiscovery : IAsyncDisposable
{
    /// <summary>Where the servers come from, for log lines: "etcd http://127.0.0.1:2379 /tunicorn/services/Calculator".</summary>
    string Description { get; }

    /// <summary>
    /// Starts watching. <paramref name="onChange"/> receives the full set first once known, then after every change;
    /// calls never overlap. Returns once watching started, without waiting for the first set.
    /// </summary>
    Task StartAsync(Action<IReadOnlyList<ServiceInstance>> onChange, CancellationToken cancellationToken);
}
