namespace Tunicorn.Bench.Runner;

/// <summary>
/// One worker added by SIGTTIN, in milliseconds after the signal: the master's "Booting worker with pid" line and
/// the "Worker booted (pid: N)" line (the worker reports just before it accepts).
/// </summary>
public sealed record BootResult(string WorkerClass, int Index, double? BootingMs, double? BootedMs);
