using Tunicorn.Client.Balancing;

namespace Tunicorn.Tests.Client;

public sealed class BalancingPoliciesTests
{
    [Fact]
    public void RoundRobin_ThreeServers_EachGetsEveryThirdPick()
    {
        var servers = FakeServer.Many(3);
        var policy = new RoundRobinPolicy();

        var picks = Enumerable.Range(0, 9).Select(_ => policy.Pick(servers, key: null)).ToList();

        Assert.Equal([.. servers, .. servers, .. servers], picks);
    }

    [Fact]
    public void RoundRobin_ConcurrentPicks_SpreadExactlyEvenly()
    {
        var servers = FakeServer.Many(3);
        var policy = new RoundRobinPolicy();
        var counts = new int[3];

        Parallel.For(0, 3000, _ => Interlocked.Increment(ref counts[IndexOf(servers, policy.Pick(servers, null))]));

        Assert.Equal([1000, 1000, 1000], counts);
    }

    [Fact]
    public void Random_SeededWithWeights_PicksInProportionToWeight()
    {
        IReadOnlyList<IBalancedServer> servers = [new FakeServer("10.0.0.1:1", weight: 1), new FakeServer("10.0.0.2:1", weight: 3)];
        var policy = new RandomPolicy(new Random(42));
        var counts = new int[2];

        for (int i = 0; i < 4000; i++)
            counts[IndexOf(servers, policy.Pick(servers, null))]++;

        Assert.InRange(counts[0], 900, 1100);
        Assert.InRange(counts[1], 2900, 3100);
    }

    [Fact]
    public void LeastOutstanding_TwoServers_AlwaysPicksTheLessBusy()
    {
        IReadOnlyList<IBalancedServer> servers = [new FakeServer("10.0.0.1:1", outstanding: 5), new FakeServer("10.0.0.2:1", outstanding: 1)];
        var policy = new LeastOutstandingRequestsPolicy(new Random(1));

        Assert.All(Enumerable.Range(0, 100), _ => Assert.Same(servers[1], policy.Pick(servers, null)));
    }

    [Fact]
    public void LeastOutstanding_ThreeServers_NeverPicksTheBusiest_AndUsesBothOthers()
    {
        IReadOnlyList<IBalancedServer> servers =
            [new FakeServer("10.0.0.1:1", outstanding: 2), new FakeServer("10.0.0.2:1", outstanding: 9), new FakeServer("10.0.0.3:1", outstanding: 2)];
        var policy = new LeastOutstandingRequestsPolicy(new Random(7));
        var counts = new int[3];

        for (int i = 0; i < 600; i++)
            counts[IndexOf(servers, policy.Pick(servers, null))]++;

        Assert.Equal(0, counts[1]);
        Assert.True(counts[0] > 100 && counts[2] > 100, $"picks: {string.Join(", ", counts)}");
    }

    [Fact]
    public void ConsistentHash_SameKey_SameServer()
    {
        var servers = FakeServer.Many(5);
        var policy = new ConsistentHashPolicy();

        var first = policy.Pick(servers, "user-42");

        Assert.All(Enumerable.Range(0, 20), _ => Assert.Same(first, policy.Pick(servers, "user-42")));
        Assert.Same(first, policy.Pick([.. servers.Reverse()], "user-42"));
    }

    [Fact]
    public void ConsistentHash_ServerLeaves_OnlyItsKeysMove()
    {
        var servers = FakeServer.Many(4);
        var policy = new ConsistentHashPolicy();
        var keys = Enumerable.Range(0, 2000).Select(i => $"key-{i}").ToList();
        var before = keys.ToDictionary(k => k, k => policy.Pick(servers, k));
        var gone = servers[2];

        var after = keys.ToDictionary(k => k, k => policy.Pick([.. servers.Where(s => s != gone)], k));

        var moved = keys.Where(k => !ReferenceEquals(before[k], after[k])).ToList();
        Assert.All(moved, k => Assert.Same(gone, before[k]));
        Assert.Equal(keys.Count(k => before[k] == gone), moved.Count);
    }

    [Fact]
    public void ConsistentHash_ServerJoins_TakesAboutItsShareFromEveryone()
    {
        var servers = FakeServer.Many(3);
        var joined = new FakeServer("10.0.0.99:9090");
        var policy = new ConsistentHashPolicy();
        var keys = Enumerable.Range(0, 4000).Select(i => $"key-{i}").ToList();

        var before = keys.ToDictionary(k => k, k => policy.Pick(servers, k));
        var after = keys.ToDictionary(k => k, k => policy.Pick([.. servers, joined], k));

        var moved = keys.Where(k => !ReferenceEquals(before[k], after[k])).ToList();
        Assert.All(moved, k => Assert.Same(joined, after[k]));
        Assert.InRange(moved.Count, 800, 1200); // a quarter of 4000
    }

    [Fact]
    public void ConsistentHash_WithoutKey_GoesRoundRobin()
    {
        var servers = FakeServer.Many(2);
        var policy = new ConsistentHashPolicy();

        Assert.NotSame(policy.Pick(servers, null), policy.Pick(servers, null));
    }

    [Theory]
    [InlineData(BalancingPolicies.RoundRobin, typeof(RoundRobinPolicy))]
    [InlineData(BalancingPolicies.Random, typeof(RandomPolicy))]
    [InlineData(BalancingPolicies.LeastOutstandingRequests, typeof(LeastOutstandingRequestsPolicy))]
    [InlineData(BalancingPolicies.ConsistentHash, typeof(ConsistentHashPolicy))]
    public void Create_EachName_BuildsThePolicyOfThatName(string name, Type type)
    {
        var policy = BalancingPolicies.Create(name);

        Assert.IsType(type, policy);
        Assert.Equal(name, policy.Name);
    }

    [Fact]
    public void Create_UnknownName_ListsTheNames()
    {
        var e = Assert.Throws<ArgumentException>(() => BalancingPolicies.Create("fastest"));

        Assert.Contains("round_robin, random, least_outstanding_requests, consistent_hash", e.Message);
    }

    private static int IndexOf(IReadOnlyList<IBalancedServer> servers, IBalancedServer server)
    {
        for (int i = 0; i < servers.Count; i++)
        {
            if (ReferenceEquals(servers[i], server))
                return i;
        }
        throw new InvalidOperationException("picked a server outside the list");
    }
}
