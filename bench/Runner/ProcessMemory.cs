namespace Tunicorn.Bench.Runner;

/// <summary>Memory of one process of a server; Role is "master", "worker" or "server".</summary>
public sealed record ProcessMemory(string Role, int Pid, MemoryUse Memory);
