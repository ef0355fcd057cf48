namespace Tunicorn.Hooks;

/// <summary>A worker as the master knows it, for master-side hooks (pre_fork, child_exit, …).</summary>
/// <param name="Pid">The worker's process id; 0 in pre_fork, before the process exists.</param>
/// <param name="Age">Spawn order within this master.</param>
/// <param name="ExitCode">Exit status once exited (128 + N when killed by signal N), else null.</param>
public sealed record WorkerInfo(int Pid, int Age, int? ExitCode = null);
