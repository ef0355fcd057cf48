namespace Tunicorn.Master;

/// <summary>
/// What the arbiter does to processes: its own signals, starting workers, signalling them and learning of their exit.
/// <see cref="OsProcessControl"/> does it to real processes; unit tests drive the arbiter with a fake, in milliseconds.
/// </summary>
internal interface IProcessControl
{
    /// <summary>Marks every descriptor the master inherited close-on-exec (PLATFORM-NOTES: only the listeners may reach workers).</summary>
    void MarkInheritedCloseOnExec();

    /// <summary>Calls <paramref name="onSignal"/> (from any thread) for each of the master's own <paramref name="signals"/> until disposed.</summary>
    IDisposable TrapSignals(IReadOnlyList<int> signals, Action<int> onSignal);

    /// <summary>
    /// Starts one worker process. <paramref name="onExit"/> is called once, from any thread, with its pid and exit status
    /// (128 + N for a death by signal N) when it has exited and been reaped.
    /// </summary>
    IWorkerLink Spawn(WorkerLaunch launch, Action<int, int> onExit);

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when that process is gone.</summary>
    bool Send(int pid, int signal);
}
