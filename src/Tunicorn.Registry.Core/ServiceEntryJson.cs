using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tunicorn.Registry;

/// <summary>
/// The JSON of a registry entry, both ways: the server writes it (<see cref="Write"/>), Tunicorn.Client reads it
/// (<see cref="TryRead"/>). One file and one set of property names, so that writer and reader cannot drift apart.
/// Two shapes: Tunicorn's own (docs/registry.md) and the Finagle / Aurora serverset member.
/// </summary>
internal static class ServiceEntryJson
{
    // Property names encoded once, for the writer and the reader alike.
    private static readonly JsonEncodedText Host = JsonEncodedText.Encode("host");
    private static readonly JsonEncodedText Port = JsonEncodedText.Encode("port");
    private static readonly JsonEncodedText Pid = JsonEncodedText.Encode("pid");
    private static readonly JsonEncodedText Weight = JsonEncodedText.Encode("weight");
    private static readonly JsonEncodedText Protocol = JsonEncodedText.Encode("protocol");
    private static readonly JsonEncodedText Transport = JsonEncodedText.Encode("transport");
    private static readonly JsonEncodedText Multiplexed = JsonEncodedText.Encode("multiplexed");
    private static readonly JsonEncodedText Services = JsonEncodedText.Encode("services");
    private static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText StartTime = JsonEncodedText.Encode("start_time");
    private static readonly JsonEncodedText Metadata = JsonEncodedText.Encode("metadata");

    // Finagle's serverset member (com.twitter.common.zookeeper.ServerSet / Aurora), as Finagle's ZkAnnouncer writes it.
    private static readonly JsonEncodedText ServiceEndpoint = JsonEncodedText.Encode("serviceEndpoint");
    private static readonly JsonEncodedText AdditionalEndpoints = JsonEncodedText.Encode("additionalEndpoints");
    private static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText Shard = JsonEncodedText.Encode("shard");
    private const string Alive = "ALIVE";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The JSON of <paramref name="entry"/> in <paramref name="format"/>, compact, UTF-8.</summary>
    public static string Write(ServiceEntry entry, RegistryEntryFormat format)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            if (format == RegistryEntryFormat.Serverset)
                WriteServerset(writer, entry);
            else
                WriteTunicorn(writer, entry);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// What <paramref name="json"/> announces, or null with <paramref name="reason"/> saying why not: anything but a
    /// Tunicorn entry or a live serverset member is refused, so that one bad entry is skipped instead of breaking a view.
    /// </summary>
    public static AnnouncedServer? TryRead(ReadOnlySpan<byte> json, out string? reason)
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
            return root.TryGetProperty(ServiceEndpoint.EncodedUtf8Bytes, out var endpoint)
                ? ReadServerset(root, endpoint, out reason)
                : ReadTunicorn(root, out reason);
        }
        catch (JsonException e)
        {
            reason = "the entry is not JSON: " + e.Message;
            return null;
        }
    }

    private static void WriteTunicorn(Utf8JsonWriter writer, ServiceEntry entry)
    {
        writer.WriteStartObject();
        writer.WriteString(Host, entry.Host);
        writer.WriteNumber(Port, entry.Port);
        writer.WriteNumber(Pid, entry.Pid);
        writer.WriteNumber(Weight, entry.Weight);
        writer.WriteString(Protocol, entry.Protocol);
        writer.WriteString(Transport, entry.Transport);
        writer.WriteBoolean(Multiplexed, entry.Multiplexed);
        writer.WriteStartArray(Services);
        foreach (var service in entry.Services)
            writer.WriteStringValue(service);
        writer.WriteEndArray();
        if (entry.Version is null)
            writer.WriteNull(Version);
        else
            writer.WriteString(Version, entry.Version);
        writer.WriteString(StartTime, entry.StartTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        writer.WritePropertyName(Metadata);
        if (entry.Metadata is { } metadata)
            metadata.WriteTo(writer);
        else
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    private static void WriteServerset(Utf8JsonWriter writer, ServiceEntry entry)
    {
        writer.WriteStartObject();
        writer.WriteStartObject(ServiceEndpoint);
        writer.WriteString(Host, entry.Host);
        writer.WriteNumber(Port, entry.Port);
        writer.WriteEndObject();
        writer.WriteStartObject(AdditionalEndpoints);
        writer.WriteEndObject();
        writer.WriteString(Status, Alive);
        writer.WriteNumber(Shard, 0);
        writer.WriteEndObject();
    }

    private static AnnouncedServer? ReadTunicorn(JsonElement root, out string? reason) =>
        TryHostPort(root, out string host, out int port, out reason)
            ? new AnnouncedServer(
                host,
                port,
                root.TryGetProperty(Weight.EncodedUtf8Bytes, out var weight) && weight.TryGetInt32(out int w) && w >= 0 ? w : 1,
                String(root, Protocol),
                String(root, Transport),
                root.TryGetProperty(Multiplexed.EncodedUtf8Bytes, out var multiplexed) && multiplexed.ValueKind == JsonValueKind.True,
                root.TryGetProperty(Services.EncodedUtf8Bytes, out var services) && services.ValueKind == JsonValueKind.Array
                    ? [.. services.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!)]
                    : [],
                root.TryGetProperty(Pid.EncodedUtf8Bytes, out var pid) && pid.TryGetInt32(out int p) ? p : null,
                String(root, Version))
            : null;

    private static AnnouncedServer? ReadServerset(JsonElement root, JsonElement endpoint, out string? reason)
    {
        if (String(root, Status) is { } status && status != Alive)
        {
            reason = $"the member's status is {status}, not {Alive}";
            return null;
        }
        return TryHostPort(endpoint, out string host, out int port, out reason) ? new AnnouncedServer(host, port) : null;
    }

    private static bool TryHostPort(JsonElement element, out string host, out int port, out string? reason)
    {
        host = String(element, Host) ?? "";
        port = element.TryGetProperty(Port.EncodedUtf8Bytes, out var p) && p.TryGetInt32(out int number) ? number : 0;
        reason = host.Length == 0 ? "the entry has no host" : port is < 1 or > 65535 ? "the entry has no port from 1 to 65535" : null;
        return reason is null;
    }

    private static string? String(JsonElement element, JsonEncodedText name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name.EncodedUtf8Bytes, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
