namespace Tunicorn.Bench.Runner;

/// <summary>Resident and proportional set size in KiB; PSS splits shared pages among the processes mapping them.</summary>
public readonly record struct MemoryUse(long RssKiB, long PssKiB)
{
    public static MemoryUse operator +(MemoryUse a, MemoryUse b) => new(a.RssKiB + b.RssKiB, a.PssKiB + b.PssKiB);
}
