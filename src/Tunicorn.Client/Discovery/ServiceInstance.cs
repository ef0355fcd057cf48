namespace Tunicorn.Client.Discovery;

/// <summary>One live server of a service, as the registry (or a static list) announces it.</summary>
/// <param name="Id">What identifies the entry in its source: the etcd key, the ZooKeeper node, or HOST:PORT.</param>
/// <param name="Host">The host to connect to.</param>
/// <param name="Port">The TCP port.</param>
public sealed record ServiceInstance(string Id, string Host, int Port)
{
    /// <summary>The server's balancing hint: 0 asks for no new calls while other servers exist.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>binary, compact, json or auto, as the server announces it; null when the entry does not say (serverset).</summary>
    public string? Protocol { get; init; }

    /// <summary>buffered, framed or auto; null when the entry does not say.</summary>
    public string? Transport { get; init; }

    /// <summary>True when the server serves several services multiplexed (clients must name theirs).</summary>
    public bool Multiplexed { get; init; }

    /// <summary>The Thrift services the server announces.</summary>
    public IReadOnlyList<string> Services { get; init; } = [];

    /// <summary>The master's pid, when announced.</summary>
    public int? Pid { get; init; }

    public string? Version { get; init; }

    /// <summary>HOST:PORT, with brackets around an IPv6 host: the server's identity for pooling and hashing.</summary>
    public string Address => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public override string ToString() => Address;
}
