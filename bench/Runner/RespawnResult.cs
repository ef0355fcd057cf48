namespace Tunicorn.Bench.Runner;

/// <summary>
/// The only worker of a master killed (SIGKILL), and a call sent on a new connection right after: only the
/// replacement can answer it. Milliseconds from the kill to the master's "Booting worker" line (as the runner
/// read it) and to the reply; spawn to first call is their difference.
/// </summary>
public sealed record RespawnResult(string WorkerClass, int Index, double? BootingMs, double? ReplyMs)
{
    public double? SpawnToReplyMs => BootingMs is double b && ReplyMs is double r ? r - b : null;
}
