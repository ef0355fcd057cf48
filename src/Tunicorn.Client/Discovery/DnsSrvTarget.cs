using System.Net;

namespace Tunicorn.Client.Discovery;

/// <summary>One SRV record of a service, with the addresses its target name resolved to.</summary>
/// <param name="Target">The record's target host name, without the trailing dot.</param>
/// <param name="Port">The record's port.</param>
/// <param name="Priority">Lower is preferred: targets of a higher value are backups.</param>
/// <param name="Weight">The share of calls among targets of the same priority.</param>
/// <param name="Addresses">The target's A and AAAA addresses.</param>
internal sealed record DnsSrvTarget(string Target, int Port, int Priority, int Weight, IReadOnlyList<IPAddress> Addresses);
