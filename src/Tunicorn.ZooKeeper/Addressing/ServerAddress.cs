namespace Tunicorn.ZooKeeper.Addressing;

/// <summary>One server of the connect string.</summary>
internal readonly record struct ServerAddress(string Host, int Port)
{
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
