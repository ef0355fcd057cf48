namespace Tunicorn.Client.Balancing;

/// <summary>The built-in balancing policies by name, each with its trade-off.</summary>
public static class BalancingPolicies
{
    /// <summary>
    /// Each server in turn. Even spread of calls when calls cost the same; blind to a slow server, which gets its
    /// share anyway. The default.
    /// </summary>
    public const string RoundRobin = "round_robin";

    /// <summary>
    /// A random server, weighted by the weight each server announces. No shared counter; uneven over short runs.
    /// </summary>
    public const string Random = "random";

    /// <summary>
    /// Power of two choices: two random servers, the one with fewer calls in flight from this client. Moves load away
    /// from slow or busy servers without the herding of always picking the least loaded one.
    /// </summary>
    public const string LeastOutstandingRequests = "least_outstanding_requests";

    /// <summary>
    /// Consistent hashing on the caller's key (rendezvous hashing, weighted): the same key goes to the same server
    /// while it lives; a server joining or leaving moves only its share of keys. Calls without a key go round robin.
    /// </summary>
    public const string ConsistentHash = "consistent_hash";

    /// <summary>Every name above.</summary>
    public static readonly IReadOnlyList<string> Names = [RoundRobin, Random, LeastOutstandingRequests, ConsistentHash];

    /// <summary>The policy called <paramref name="name"/>; <paramref name="random"/> drives the random choices (tests pass a seeded one).</summary>
    public static IBalancingPolicy Create(string name, System.Random? random = null) => name switch
    {
        RoundRobin => new RoundRobinPolicy(),
        Random => new RandomPolicy(random),
        LeastOutstandingRequests => new LeastOutstandingRequestsPolicy(random),
        ConsistentHash => new ConsistentHashPolicy(),
        _ => throw new ArgumentException($"'{name}' is not a balancing policy (allowed: {string.Join(", ", Names)})", nameof(name)),
    };
}
