namespace Tunicorn.Bench.Runner;

/// <summary>
/// The only worker of a master killed (SIGKILL), and a call sent on a new connection right after: only the
/// replacement can answer it. Milliseconds from the kill to the master's "Booting worker" line (as the runner
/// read it) and to the reply; spawn to first call is their difference. <see cref="WorkerCpuMs"/>: the CPU time the new
/// worker had used (all threads) when the reply came.
/// </summary>
public sealed record RespawnResult(string WorkerClass, int Index, double? BootingMs, double? ReplyMs, double? WorkerCpuMs)
{
    public double? SpawnToReplyMs => BootingMs is double b && ReplyMs is double r ? r - b : null;
}
