using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using Tunicorn.Systemd;

namespace Tunicorn.Master;

/// <summary>
/// Starts the new master of a binary upgrade as gunicorn re-executes itself: the executable at this master's path (so a
/// new build put there runs) with this master's arguments, from the folder it was started in, its listeners inherited
/// and listed in <see cref="UpgradeEnvironment.ListenerFds"/>. The new master is this process's child, so its exit is
/// learnt here (<see cref="Process.Exited"/>), whichever master is left.
/// </summary>
internal sealed class OsMasterLauncher(IReadOnlyList<string> commandLineArgs, string startDirectory) : IMasterLauncher
{
    [UnconditionalSuppressMessage("SingleFile", "IL3000:Avoid accessing Assembly file path when publishing as a single file",
        Justification = "Location is read only when the process is `dotnet app.dll`; a single-file or NativeAOT program is its own executable.")]
    public int Start(ListenerSet listeners, Action<int, int> onExit)
    {
        string executable = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this executable is unknown");
        var info = new ProcessStartInfo(executable) { UseShellExecute = false, WorkingDirectory = startDirectory };
        if (Path.GetFileNameWithoutExtension(executable) == "dotnet" && Assembly.GetEntryAssembly()?.Location is { Length: > 0 } entry)
            info.ArgumentList.Add(entry);
        foreach (string arg in commandLineArgs)
            info.ArgumentList.Add(arg);
        info.Environment[UpgradeEnvironment.ListenerFds] = UpgradeEnvironment.Format(listeners.Descriptors);
        info.Environment[UpgradeEnvironment.ParentPid] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        // systemd's sockets reach the new master through TUNICORN_FD; LISTEN_PID names this master and would only earn a warning.
        info.Environment.Remove(SystemdEnvironment.ListenFds);
        info.Environment.Remove(SystemdEnvironment.ListenPid);
        info.Environment.Remove(SystemdEnvironment.ListenFdNames);

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.Exited += (sender, _) =>
        {
            using var exited = (Process)sender!;
            onExit(exited.Id, exited.ExitCode);
        };
        // The arbiter loop starts workers and this process alike, one at a time: no other spawn sees the listeners inheritable.
        listeners.WithInheritable(process.Start);
        return process.Id;
    }
}
