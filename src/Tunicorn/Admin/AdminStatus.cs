using Tunicorn.Control;

namespace Tunicorn.Admin;

/// <summary>What /status and /status.json show about the master, gathered on the arbiter loop.</summary>
/// <param name="Server">The control socket's status reply; null while the master stops (the loop no longer answers).</param>
/// <param name="Workers">The control socket's workers reply, with each worker's resident memory.</param>
/// <param name="Registry">The registry class and the state of the entries: not registered, registered, deregistered.</param>
internal sealed record AdminStatus(ServerStatus? Server, IReadOnlyList<WorkerStatus> Workers, string Registry, Readiness Readiness);
