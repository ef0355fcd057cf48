namespace Tunicorn.Bench.Runner;

/// <summary>
/// Where and what a server serves in one start: port, service (calculator or bench), transport, a worker count
/// override, and further Tunicorn options (e.g. --max-requests).
/// </summary>
public sealed record ServerLaunch(int Port, string Service, string Transport, int? Workers = null, IReadOnlyList<string>? TunicornArgs = null);
