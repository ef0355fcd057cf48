namespace Tunicorn.Client.Balancing;

/// <summary><see cref="BalancingPolicies.Random"/>: a random server, each weighted by its announced weight.</summary>
public sealed class RandomPolicy(Random? random = null) : IBalancingPolicy
{
    private readonly SharedRandom _random = new(random);

    public string Name => BalancingPolicies.Random;

    public IBalancedServer Pick(IReadOnlyList<IBalancedServer> servers, string? key)
    {
        long total = 0;
        foreach (var server in servers)
            total += Math.Max(0, server.Instance.Weight);
        if (total == 0 || total > int.MaxValue)
            return servers[_random.Next(servers.Count)];
        int point = _random.Next((int)total);
        foreach (var server in servers)
        {
            point -= Math.Max(0, server.Instance.Weight);
            if (point < 0)
                return server;
        }
        return servers[^1];
    }
}
