using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Conformance;

/// <summary>The hostile inputs against the threaded worker class.</summary>
public sealed class HostileInputThreadedTests(HostileInputThreadedTests.Server server, ITestOutputHelper output)
    : HostileInputTests<HostileInputThreadedTests.Server>(server, output)
{
    public sealed class Server : HostileInputServer
    {
        public override string WorkerClass => "threaded";
    }
}
