namespace Tunicorn.Bench.Runner;

/// <summary>
/// How one Tunicorn master's persistent connections were spread over its workers under load: established
/// connections each worker holds (workers in pid order), connections completed by the kernel but not accepted
/// by any worker (listen backlog), and each worker's share of the CPU time used while measuring.
/// </summary>
public sealed record SpreadResult(
    string WorkerClass,
    int Workers,
    int Connections,
    List<int> PerWorker,
    int Backlog,
    List<double> CpuShare,
    double CallsPerSecond,
    long Errors,
    int ConnectionsServed);
