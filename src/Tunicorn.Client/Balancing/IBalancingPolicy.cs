namespace Tunicorn.Client.Balancing;

/// <summary>
/// Picks the server for one call. The client passes only servers it may use now (not ejected, not already tried by
/// this call); a policy never sees an empty list. Called concurrently from many calls: implementations are
/// thread-safe and cheap. Names and trade-offs of the built-in ones: <see cref="BalancingPolicies"/>.
/// </summary>
public interface IBalancingPolicy
{
    /// <summary>The policy's name, one of <see cref="BalancingPolicies"/> for the built-in ones.</summary>
    string Name { get; }

    /// <param name="servers">The candidates, at least one, in a stable order.</param>
    /// <param name="key">The caller's hash key (CallOptions.HashKey), or null.</param>
    IBalancedServer Pick(IReadOnlyList<IBalancedServer> servers, string? key);
}
