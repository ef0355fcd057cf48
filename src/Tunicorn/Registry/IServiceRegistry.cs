namespace Tunicorn.Registry;

/// <summary>
/// Announces a running master in a service registry (ZooKeeper, etcd) so that clients find it. The master calls
/// <see cref="StartAsync"/> once its first workers accept and <see cref="DeregisterAsync"/> first thing on a
/// graceful stop, before any worker drains, so clients move away while calls are still answered.
/// </summary>
/// <remarks>
/// Implementations keep the entries alive on their own: re-create them after a session expiry or a lost lease,
/// and register late when the registry was down at start. A registry fault must never stop the server: log it
/// and keep trying.
/// </remarks>
public interface IServiceRegistry : IAsyncDisposable
{
    /// <summary>Starts registering one entry per endpoint; returns without waiting for the registry to answer.</summary>
    Task StartAsync(IReadOnlyList<ServiceEndpoint> endpoints, CancellationToken cancellationToken);

    /// <summary>Removes the entries now (bounded by <paramref name="cancellationToken"/>) and stops re-creating them.</summary>
    Task DeregisterAsync(CancellationToken cancellationToken);
}
