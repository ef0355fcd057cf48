using System.Diagnostics;
using System.Runtime.InteropServices;
using Tunicorn.Interop;

namespace Tunicorn.Master;

/// <summary>
/// The arbiter's hands on real processes: <see cref="PosixSignalRegistration"/> for its own signals, the
/// <see cref="WorkerSpawner"/> to start workers, kill(2) to signal them, and <see cref="Process.Exited"/> to learn of their
/// exit. PLATFORM-NOTES: .NET reaps the children it started and fails fast when one is reaped elsewhere, so there is no
/// waitpid here: the runtime reaps, and Exited reports the status.
/// </summary>
internal sealed class OsProcessControl(WorkerSpawner spawner) : IProcessControl
{
    public void MarkInheritedCloseOnExec() => FileDescriptors.MarkAllCloseOnExec();

    public IDisposable TrapSignals(IReadOnlyList<int> signals, Action<int> onSignal)
    {
        var registrations = new List<PosixSignalRegistration>(signals.Count);
        foreach (int signal in signals)
        {
            registrations.Add(PosixSignalRegistration.Create((PosixSignal)signal, context =>
            {
                context.Cancel = true;
                onSignal(signal);
            }));
        }
        return new Registrations(registrations);
    }

    public IWorkerLink Spawn(WorkerLaunch launch, Action<int, int> onExit) =>
        spawner.Spawn(launch, (sender, _) =>
        {
            var process = (Process)sender!;
            onExit(process.Id, process.ExitCode);
        });

    public bool Send(int pid, int signal) => Signals.Send(pid, signal);

    /// <summary>Keeps the registrations referenced (PLATFORM-NOTES) until the master lets its signals go.</summary>
    private sealed class Registrations(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations)
                registration.Dispose();
        }
    }
}
