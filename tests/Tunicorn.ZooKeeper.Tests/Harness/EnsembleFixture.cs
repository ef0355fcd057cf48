namespace Tunicorn.ZooKeeper.Tests.Harness;

/// <summary>A three-server ZooKeeper ensemble for a test class; tests that kill servers restart them first thing.</summary>
public sealed class EnsembleFixture : IAsyncLifetime
{
    private ZooKeeperEnsemble? _ensemble;

    internal ZooKeeperEnsemble Ensemble => _ensemble ?? throw new InvalidOperationException("the fixture is not started");

    public async Task InitializeAsync() => _ensemble = await ZooKeeperEnsemble.StartAsync(3);

    public async Task DisposeAsync()
    {
        if (_ensemble is not null)
            await _ensemble.DisposeAsync();
    }
}
