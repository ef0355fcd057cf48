namespace Tunicorn.Client.Balancing;

/// <summary>
/// One random source for the policies: <see cref="Random.Shared"/> is thread-safe; any other instance (a seeded one
/// from a test) is not, so its calls are serialized.
/// </summary>
internal sealed class SharedRandom(Random? random)
{
    private readonly Random _random = random ?? Random.Shared;

    public int Next(int maxExclusive)
    {
        if (ReferenceEquals(_random, Random.Shared))
            return _random.Next(maxExclusive);
        lock (_random)
            return _random.Next(maxExclusive);
    }
}
