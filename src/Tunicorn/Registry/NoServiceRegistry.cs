namespace Tunicorn.Registry;

/// <summary>service_register_cls = none: nothing is announced.</summary>
internal sealed class NoServiceRegistry : IServiceRegistry
{
    public Task StartAsync(IReadOnlyList<ServiceEndpoint> endpoints, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeregisterAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
