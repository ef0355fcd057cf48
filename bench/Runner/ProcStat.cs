namespace Tunicorn.Bench.Runner;

/// <summary>The fields of /proc/PID/stat the runner uses. <see cref="CpuTicks"/> is utime + stime.</summary>
public sealed record ProcStat(int Pid, int ParentPid, long CpuTicks, long StartTime, string State);
