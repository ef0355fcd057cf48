using Tunicorn.Client.Discovery;

namespace Tunicorn.Tests.Client;

/// <summary>A discovery the test drives: it publishes whatever set the test gives it, and counts its starts and disposals.</summary>
internal sealed class ManualDiscovery : IServiceDiscovery
{
    private Action<IReadOnlyList<ServiceInstance>>? _onChange;

    public string Description => "manual";

    public int Starts { get; private set; }

    public int Disposals { get; private set; }

    public Task StartAsync(Action<IReadOnlyList<ServiceInstance>> onChange, CancellationToken cancellationToken)
    {
        if (_onChange is not null)
            throw new InvalidOperationException("already started");
        Starts++;
        _onChange = onChange;
        return Task.CompletedTask;
    }

    public void Publish(params ServiceInstance[] servers) =>
        (_onChange ?? throw new InvalidOperationException("not started"))(servers);

    public ValueTask DisposeAsync()
    {
        Disposals++;
        return ValueTask.CompletedTask;
    }
}
