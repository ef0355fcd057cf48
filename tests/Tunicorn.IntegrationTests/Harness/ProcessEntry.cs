namespace Tunicorn.IntegrationTests.Harness;

/// <summary>
/// One process as /proc/PID/stat shows it. StartTime (clock ticks since boot) tells a process apart from a
/// later one that reuses its pid, so that cleanup never signals a stranger.
/// </summary>
internal sealed record ProcessEntry(int Pid, int ParentPid, char State, ulong StartTime)
{
    public bool IsZombie => State is 'Z' or 'X';
}
