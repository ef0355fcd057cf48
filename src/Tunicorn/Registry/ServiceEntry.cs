using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tunicorn.Registry;

/// <summary>
/// What one registry entry announces about one address of a running master. <see cref="ToJson"/> writes the
/// documented JSON (docs/registry.md), which Tunicorn.Client and any other client read.
/// </summary>
/// <param name="Host">The host clients connect to.</param>
/// <param name="Port">The TCP port.</param>
/// <param name="Pid">The master's process id.</param>
/// <param name="Weight">A balancing hint; 0 asks clients to send nothing new.</param>
/// <param name="Protocol">binary, compact, json, or auto (the server detects it per connection).</param>
/// <param name="Transport">buffered, framed, or auto.</param>
/// <param name="Multiplexed">Whether clients must name the service (TMultiplexedProtocol).</param>
/// <param name="Services">The Thrift services served, e.g. ["Calculator"].</param>
/// <param name="Version">The service's version, or null.</param>
/// <param name="StartTime">When the master started.</param>
/// <param name="Metadata">A JSON object from service_register_conf, or null.</param>
public sealed record ServiceEntry(
    string Host,
    int Port,
    int Pid,
    int Weight,
    string Protocol,
    string Transport,
    bool Multiplexed,
    IReadOnlyList<string> Services,
    string? Version,
    DateTimeOffset StartTime,
    JsonElement? Metadata)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The entry's JSON in <paramref name="format"/>, compact, UTF-8.</summary>
    public string ToJson(RegistryEntryFormat format)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            if (format == RegistryEntryFormat.Serverset)
                WriteServerset(writer);
            else
                WriteTunicorn(writer);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private void WriteTunicorn(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("host", Host);
        writer.WriteNumber("port", Port);
        writer.WriteNumber("pid", Pid);
        writer.WriteNumber("weight", Weight);
        writer.WriteString("protocol", Protocol);
        writer.WriteString("transport", Transport);
        writer.WriteBoolean("multiplexed", Multiplexed);
        writer.WriteStartArray("services");
        foreach (var service in Services)
            writer.WriteStringValue(service);
        writer.WriteEndArray();
        if (Version is null)
            writer.WriteNull("version");
        else
            writer.WriteString("version", Version);
        writer.WriteString("start_time", StartTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        writer.WritePropertyName("metadata");
        if (Metadata is { } metadata)
            metadata.WriteTo(writer);
        else
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    // Finagle's serverset member (com.twitter.common.zookeeper.ServerSet / Aurora), as Finagle's ZkAnnouncer writes it.
    private void WriteServerset(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("serviceEndpoint");
        writer.WriteString("host", Host);
        writer.WriteNumber("port", Port);
        writer.WriteEndObject();
        writer.WriteStartObject("additionalEndpoints");
        writer.WriteEndObject();
        writer.WriteString("status", "ALIVE");
        writer.WriteNumber("shard", 0);
        writer.WriteEndObject();
    }
}
