namespace Tunicorn.Bench.Runner;

/// <summary>A server after start, before any load: time to its first answer and the memory of each process.</summary>
public sealed record IdleResult(ServerSpec Server, double FirstAnswerSeconds, List<ProcessMemory> Processes);
