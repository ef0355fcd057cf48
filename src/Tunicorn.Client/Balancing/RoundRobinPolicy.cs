namespace Tunicorn.Client.Balancing;

/// <summary><see cref="BalancingPolicies.RoundRobin"/>: one shared counter, the next server each call.</summary>
public sealed class RoundRobinPolicy : IBalancingPolicy
{
    private int _next = -1;

    public string Name => BalancingPolicies.RoundRobin;

    public IBalancedServer Pick(IReadOnlyList<IBalancedServer> servers, string? key)
    {
        uint turn = (uint)Interlocked.Increment(ref _next);
        return servers[(int)(turn % (uint)servers.Count)];
    }
}
