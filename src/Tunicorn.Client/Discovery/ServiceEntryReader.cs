using System.Text.Json;

namespace Tunicorn.Client.Discovery;

/// <summary>
/// Reads a registry entry's JSON: Tunicorn's own format (docs/registry.md) or a Finagle serverset member. Anything
/// else is refused with a reason, so one bad entry is logged and skipped instead of breaking the view.
/// </summary>
public static class ServiceEntryReader
{
    /// <summary>The instance <paramref name="json"/> describes, or null with <paramref name="reason"/> saying why not.</summary>
    public static ServiceInstance? TryRead(string id, ReadOnlySpan<byte> json, out string? reason)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                reason = "the entry is not a JSON object";
                return null;
            }
            return root.TryGetProperty("serviceEndpoint", out var endpoint)
                ? ReadServerset(id, root, endpoint, out reason)
                : ReadTunicorn(id, root, out reason);
        }
        catch (JsonException e)
        {
            reason = "the entry is not JSON: " + e.Message;
            return null;
        }
    }

    private static ServiceInstance? ReadTunicorn(string id, JsonElement root, out string? reason)
    {
        if (!TryHostPort(root, out string host, out int port, out reason))
            return null;
        return new ServiceInstance(id, host, port)
        {
            Weight = root.TryGetProperty("weight", out var weight) && weight.TryGetInt32(out int w) && w >= 0 ? w : 1,
            Protocol = String(root, "protocol"),
            Transport = String(root, "transport"),
            Multiplexed = root.TryGetProperty("multiplexed", out var multiplexed) && multiplexed.ValueKind == JsonValueKind.True,
            Services = root.TryGetProperty("services", out var services) && services.ValueKind == JsonValueKind.Array
                ? [.. services.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!)]
                : [],
            Pid = root.TryGetProperty("pid", out var pid) && pid.TryGetInt32(out int p) ? p : null,
            Version = String(root, "version"),
        };
    }

    private static ServiceInstance? ReadServerset(string id, JsonElement root, JsonElement endpoint, out string? reason)
    {
        if (String(root, "status") is { } status && status != "ALIVE")
        {
            reason = $"the member's status is {status}, not ALIVE";
            return null;
        }
        return TryHostPort(endpoint, out string host, out int port, out reason) ? new ServiceInstance(id, host, port) : null;
    }

    private static bool TryHostPort(JsonElement element, out string host, out int port, out string? reason)
    {
        host = String(element, "host") ?? "";
        port = element.TryGetProperty("port", out var p) && p.TryGetInt32(out int number) ? number : 0;
        reason = host.Length == 0 ? "the entry has no host" : port is < 1 or > 65535 ? "the entry has no port from 1 to 65535" : null;
        return reason is null;
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
