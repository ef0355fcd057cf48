using Tunicorn.Client.Discovery;

namespace Tunicorn.Tests.Client;

/// <summary>A discovery the test drives: it publishes whatever set the test gives it.</summary>
internal sealed class ManualDiscovery : IServiceDiscovery
{
    private Action<IReadOnlyList<ServiceInstance>>? _onChange;

    public string Description => "manual";

    public Task StartAsync(Action<IReadOnlyList<ServiceInstance>> onChange, CancellationToken cancellationToken)
    {
        _onChange = onChange;
        return Task.CompletedTask;
    }

    public void Publish(params ServiceInstance[] servers) =>
        (_onChange ?? throw new InvalidOperationException("not started"))(servers);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
