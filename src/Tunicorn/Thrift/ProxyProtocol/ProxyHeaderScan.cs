namespace Tunicorn.Thrift.ProxyProtocol;

/// <summary>
/// What the first bytes of a connection say about the PROXY header they start: how long it is, that more bytes are
/// needed to know, or why they start no valid header.
/// </summary>
/// <remarks>
/// A receiver must not read past the header (the Thrift bytes behind it belong to the connection), so it asks this
/// after each read how many of the bytes it holds belong to the header.
/// </remarks>
internal readonly record struct ProxyHeaderScan
{
    private ProxyHeaderScan(int length, string? invalidReason)
    {
        Length = length;
        InvalidReason = invalidReason;
    }

    /// <summary>The header's whole length once known; 0 while more bytes are needed or when invalid.</summary>
    public int Length { get; }

    /// <summary>Why the bytes start no valid header; null otherwise.</summary>
    public string? InvalidReason { get; }

    public bool IsInvalid => InvalidReason is not null;

    /// <summary>The length is not known yet; every byte seen so far belongs to the header.</summary>
    public bool NeedsMore => Length == 0 && InvalidReason is null;

    public static ProxyHeaderScan Incomplete => default;

    public static ProxyHeaderScan Complete(int length) => new(length, null);

    public static ProxyHeaderScan Invalid(string reason) => new(0, reason);
}
