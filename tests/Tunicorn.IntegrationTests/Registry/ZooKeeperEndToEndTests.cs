using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>Acceptance 3 with ZooKeeper: the same tests as with etcd.</summary>
public sealed class ZooKeeperEndToEndTests(ITestOutputHelper output) : RegistryEndToEndTests(output)
{
    private protected override Task<IRegistryUnderTest> StartRegistryAsync() => ZooKeeperUnderTest.StartAsync(Output);
}
