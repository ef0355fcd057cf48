namespace Tunicorn.Registry;

/// <summary>
/// What a reader learns from one registry entry (<see cref="ServiceEntryJson.TryRead"/>): a Tunicorn entry says how to
/// talk to the server, a serverset member only where it is, so the rest keeps its default: what a missing field means.
/// </summary>
/// <param name="Host">The host to connect to.</param>
/// <param name="Port">The TCP port.</param>
/// <param name="Weight">The balancing hint (0: no new calls while other servers exist); 1 when not given.</param>
/// <param name="Protocol">binary, compact, json or auto; null when not given (the client's own choice then).</param>
/// <param name="Transport">buffered, framed or auto; null when not given.</param>
/// <param name="Multiplexed">Whether calls must name their service.</param>
/// <param name="Services">The Thrift services announced; empty when not given.</param>
/// <param name="Pid">The master's pid, when given.</param>
/// <param name="Version">The service's version, when given.</param>
internal sealed record AnnouncedServer(
    string Host,
    int Port,
    int Weight = 1,
    string? Protocol = null,
    string? Transport = null,
    bool Multiplexed = false,
    IReadOnlyList<string>? Services = null,
    int? Pid = null,
    string? Version = null);
