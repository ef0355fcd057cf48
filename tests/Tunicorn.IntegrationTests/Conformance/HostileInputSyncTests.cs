using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Conformance;

/// <summary>The hostile inputs against the sync worker class.</summary>
public sealed class HostileInputSyncTests(HostileInputSyncTests.Server server, ITestOutputHelper output)
    : HostileInputTests<HostileInputSyncTests.Server>(server, output)
{
    public sealed class Server : HostileInputServer
    {
        public override string WorkerClass => "sync";
    }
}
