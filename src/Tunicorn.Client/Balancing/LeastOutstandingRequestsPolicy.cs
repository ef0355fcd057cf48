namespace Tunicorn.Client.Balancing;

/// <summary>
/// <see cref="BalancingPolicies.LeastOutstandingRequests"/>: power of two choices. Two distinct random servers; the
/// one with fewer calls in flight wins, the first drawn on a tie.
/// </summary>
public sealed class LeastOutstandingRequestsPolicy(Random? random = null) : IBalancingPolicy
{
    private readonly SharedRandom _random = new(random);

    public string Name => BalancingPolicies.LeastOutstandingRequests;

    public IBalancedServer Pick(IReadOnlyList<IBalancedServer> servers, string? key)
    {
        if (servers.Count == 1)
            return servers[0];
        int first = _random.Next(servers.Count);
        int second = _random.Next(servers.Count - 1);
        if (second >= first)
            second++;
        var a = servers[first];
        var b = servers[second];
        return b.OutstandingRequests < a.OutstandingRequests ? b : a;
    }
}
