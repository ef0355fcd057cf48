using System.Text;

namespace Tunicorn.Client.Balancing;

/// <summary>
/// <see cref="BalancingPolicies.ConsistentHash"/> by rendezvous (highest random weight) hashing: every server gets a
/// score from hash(key, server address), weighted by its announced weight; the highest score wins. A server that
/// leaves (or is skipped after a failure) hands only its own keys to the others, each key to its next best; a
/// joining server takes about 1/N of the keys. No ring to rebuild, O(N) per call.
/// </summary>
public sealed class ConsistentHashPolicy : IBalancingPolicy
{
    private readonly RoundRobinPolicy _withoutKey = new();

    public string Name => BalancingPolicies.ConsistentHash;

    public IBalancedServer Pick(IReadOnlyList<IBalancedServer> servers, string? key)
    {
        if (key is null)
            return _withoutKey.Pick(servers, key);
        ulong keyHash = Hash(key, 0xcbf29ce484222325UL);
        IBalancedServer best = servers[0];
        double bestScore = double.NegativeInfinity;
        foreach (var server in servers)
        {
            double score = Score(keyHash, server);
            if (score > bestScore)
            {
                best = server;
                bestScore = score;
            }
        }
        return best;
    }

    /// <summary>Weighted rendezvous score: -weight / ln(u), u uniform in (0, 1) from the pair's hash.</summary>
    internal static double Score(ulong keyHash, IBalancedServer server)
    {
        ulong mixed = Mix(Hash(server.Instance.Address, keyHash));
        double unit = ((mixed >> 11) + 0.5) / (1UL << 53);
        return -Math.Max(1, server.Instance.Weight) / Math.Log(unit);
    }

    /// <summary>FNV-1a over the UTF-8 bytes, from <paramref name="seed"/>.</summary>
    private static ulong Hash(string text, ulong seed)
    {
        ulong hash = seed;
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(text) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
        foreach (byte b in bytes)
        {
            hash ^= b;
            hash *= 0x100000001b3UL;
        }
        return hash;
    }

    /// <summary>The splitmix64 finalizer: FNV's low bits alone are too regular for a score.</summary>
    private static ulong Mix(ulong value)
    {
        value ^= value >> 30;
        value *= 0xbf58476d1ce4e5b9UL;
        value ^= value >> 27;
        value *= 0x94d049bb133111ebUL;
        return value ^ (value >> 31);
    }
}
