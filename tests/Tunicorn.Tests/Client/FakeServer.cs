using Tunicorn.Client.Balancing;
using Tunicorn.Client.Discovery;

namespace Tunicorn.Tests.Client;

/// <summary>A server as a policy sees it, with a settable number of calls in flight.</summary>
internal sealed class FakeServer(string address, int weight = 1, int outstanding = 0) : IBalancedServer
{
    public ServiceInstance Instance { get; } = StaticDiscovery.Parse(address) with { Weight = weight };

    public int OutstandingRequests { get; set; } = outstanding;

    public static IReadOnlyList<IBalancedServer> Many(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new FakeServer($"10.0.0.{i + 1}:9090"))];
}
