namespace Tunicorn.Bench.Runner;

/// <summary>Where and what a server serves in one start: port, service (calculator or bench), transport, and a worker count override.</summary>
public sealed record ServerLaunch(int Port, string Service, string Transport, int? Workers = null);
