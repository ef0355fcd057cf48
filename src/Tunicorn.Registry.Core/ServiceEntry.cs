using System.Text.Json;

namespace Tunicorn.Registry;

/// <summary>
/// What one registry entry announces about one address of a running master. <see cref="ToJson"/> writes the
/// documented JSON (docs/registry.md), which Tunicorn.Client and any other client read; both directions are in
/// <see cref="ServiceEntryJson"/>.
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
    /// <summary>The entry's JSON in <paramref name="format"/>, compact, UTF-8.</summary>
    public string ToJson(RegistryEntryFormat format) => ServiceEntryJson.Write(this, format);
}
