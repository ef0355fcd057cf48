using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Conformance;

/// <summary>The hostile inputs against the async worker class.</summary>
public sealed class HostileInputAsyncTests(HostileInputAsyncTests.Server server, ITestOutputHelper output)
    : HostileInputTests<HostileInputAsyncTests.Server>(server, output)
{
    public sealed class Server : HostileInputServer
    {
        public override string WorkerClass => "async";
    }
}
