namespace Tunicorn.Bench.Runner;

/// <summary>
/// One worker added by SIGTTIN, in milliseconds after the signal: the master's "Booting worker with pid" line,
/// the "Worker booted (pid: N)" line (the worker reports just before it accepts), and, for the sync class, the
/// reply to a call that only the new worker can take (every older worker is busy with a held connection).
/// </summary>
public sealed record BootResult(string WorkerClass, int Index, double? BootingMs, double? BootedMs, double? FirstReplyMs);
