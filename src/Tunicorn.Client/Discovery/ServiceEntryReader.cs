using Tunicorn.Registry;

namespace Tunicorn.Client.Discovery;

/// <summary>
/// Reads a registry entry's JSON: Tunicorn's own format (docs/registry.md) or a Finagle serverset member. Anything
/// else is refused with a reason, so one bad entry is logged and skipped instead of breaking the view. The format
/// itself is Tunicorn.Registry.Core's, where the server writes it.
/// </summary>
public static class ServiceEntryReader
{
    /// <summary>The instance <paramref name="json"/> describes, or null with <paramref name="reason"/> saying why not.</summary>
    public static ServiceInstance? TryRead(string id, ReadOnlySpan<byte> json, out string? reason) =>
        ServiceEntryJson.TryRead(json, out reason) is { } server
            ? new ServiceInstance(id, server.Host, server.Port)
            {
                Weight = server.Weight,
                Protocol = server.Protocol,
                Transport = server.Transport,
                Multiplexed = server.Multiplexed,
                Services = server.Services ?? [],
                Pid = server.Pid,
                Version = server.Version,
            }
            : null;
}
