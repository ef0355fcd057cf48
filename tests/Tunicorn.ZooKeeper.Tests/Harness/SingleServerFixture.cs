namespace Tunicorn.ZooKeeper.Tests.Harness;

/// <summary>One standalone ZooKeeper server for a test class.</summary>
public sealed class SingleServerFixture : IAsyncLifetime
{
    private ZooKeeperEnsemble? _ensemble;

    internal ZooKeeperEnsemble Ensemble => _ensemble ?? throw new InvalidOperationException("the fixture is not started");

    internal ZooKeeperServer Server => Ensemble.Servers[0];

    public async Task InitializeAsync() => _ensemble = await ZooKeeperEnsemble.StartAsync(1);

    public async Task DisposeAsync()
    {
        if (_ensemble is not null)
            await _ensemble.DisposeAsync();
    }
}
