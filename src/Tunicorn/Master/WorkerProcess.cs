using Tunicorn.Hooks;
using Tunicorn.WorkerContract;

namespace Tunicorn.Master;

/// <summary>
/// A worker process as the arbiter sees it: its link, its place (slot, age, generation) and what it last said. Read and
/// written on the arbiter loop only: report readers post what they read, they never change this.
/// </summary>
internal sealed class WorkerProcess(IWorkerLink link, int slot, int age, int generation, long spawnedAt)
{
    public IWorkerLink Link { get; } = link;
    /// <summary>Captured at spawn: the link is disposed when the worker is reaped.</summary>
    public int Pid { get; } = link.Pid;
    public int Age { get; } = age;
    /// <summary>Its slot on the <see cref="Tunicorn.WorkerContract.ConnectionBoard"/>.</summary>
    public int Slot { get; } = slot;
    /// <summary>When it was spawned, a timestamp of the arbiter's clock.</summary>
    public long SpawnedAt { get; } = spawnedAt;
    /// <summary>Which reload generation started it: a HUP starts a new generation and retires the older ones.</summary>
    public int Generation { get; } = generation;

    public bool Booted { get; internal set; }
    /// <summary>Sent TERM: it finishes its calls and exits; it no longer counts towards the target.</summary>
    public bool Retiring { get; internal set; }

    /// <summary>Reaped (its pid is free for reuse), but its last reports are still being read before it is removed.</summary>
    public bool Exited { get; internal set; }
    public long? RetiredAt { get; internal set; }
    /// <summary>Why the worker asked to be replaced (it ran out of memory); it is retired once its replacement booted.</summary>
    public string? ReplaceReason { get; internal set; }
    /// <summary>When SIGABRT was sent for a timeout, so the next pass sends SIGKILL.</summary>
    public long? AbortedAt { get; internal set; }
    public string? BootError { get; internal set; }
    /// <summary>Why the worker said it stops on its own (max_requests, master gone): its exit 0 was not asked for by the master.</summary>
    public string? StopReason { get; internal set; }
    /// <summary>Why the master sent SIGKILL, so that the exit is not mistaken for the kernel's OOM killer.</summary>
    public string? KilledBecause { get; internal set; }
    /// <summary>The reader of its reports; done once the worker's end of the socket closed (at its exit).</summary>
    internal Task? Reports { get; set; }
    public int? ExitCode { get; internal set; }

    /// <summary>When the master last heard from it (any report; its spawn until the first): the silence is measured from here.</summary>
    public long LastSeen { get; private set; } = spawnedAt;

    /// <summary>Its latest heartbeat; null until the first.</summary>
    public WorkerHeartbeat? Heartbeat { get; private set; }

    public WorkerInfo Info => new(Pid, Age, ExitCode);

    /// <summary>Any report proves the worker alive: the boot report starts its heartbeat clock.</summary>
    internal void Seen(long at)
    {
        if (at > LastSeen)
            LastSeen = at;
    }

    internal void OnHeartbeat(WorkerHeartbeat heartbeat)
    {
        if (Heartbeat is not { } last || heartbeat.ReceivedAt >= last.ReceivedAt)
            Heartbeat = heartbeat;
        Seen(heartbeat.ReceivedAt);
    }

    public override string ToString() => $"worker {Pid}";
}
