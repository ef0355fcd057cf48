namespace Tunicorn.Registry;

/// <summary>The JSON a registry entry holds (service_register_conf <c>format</c>).</summary>
public enum RegistryEntryFormat
{
    /// <summary>
    /// Tunicorn's own: host, port, pid, weight, protocol, transport, multiplexed, services, version, start_time,
    /// metadata. Tunicorn.Client reads the wire format from it.
    /// </summary>
    Tunicorn,

    /// <summary>
    /// The Finagle / Aurora serverset member: <c>{"serviceEndpoint":{"host":..,"port":..},"additionalEndpoints":{},
    /// "status":"ALIVE","shard":0}</c>, for clients that already read serversets.
    /// </summary>
    Serverset,
}
