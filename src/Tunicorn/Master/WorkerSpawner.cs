using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using Tunicorn.Config;
using Tunicorn.Hosting;
using Tunicorn.Interop;
using Tunicorn.Systemd;
using Tunicorn.Worker;
using Tunicorn.WorkerContract;

namespace Tunicorn.Master;

/// <summary>
/// Starts worker processes: the same executable as the master (CLI or the user's embedded program), with the
/// listeners and one end of a socket pair inherited, and the generation's settings in the environment.
/// </summary>
internal sealed class WorkerSpawner(IReadOnlyList<string> commandLineArgs)
{
    internal const string Gen0SizeVariable = "DOTNET_GCgen0size";

    // worker_tiering quick: what the runtime reads at start-up, hexadecimal like every DWORD knob (0x20 = 32 ms).
    private static readonly (string Name, string Value)[] QuickTiering = [("DOTNET_TieredPGO", "0"), ("DOTNET_TC_CallCountingDelayMs", "20")];

    private readonly Lock _spawnLock = new();

    public WorkerLink Spawn(WorkerLaunch launch, EventHandler onExited)
    {
        var (settings, listeners, board) = (launch.Settings, launch.Listeners, launch.Board);
        var (parentEnd, childEnd) = FileDescriptors.CreateSocketPair();
        var (handOffParent, handOffChild) = DescriptorPassing.CreatePair();
        try
        {
            var info = CreateStartInfo(ProcessTitles.Worker(settings));
            var environment = new WorkerEnvironment(
                Environment.ProcessId, launch.Age, FileDescriptors.DescriptorOf(childEnd),
                listeners.Descriptors, launch.SerializedSettings, board.Descriptor, launch.Slot,
                FileDescriptors.DescriptorOf(handOffChild));
            environment.AddTo(info.Environment);
            foreach (string name in SystemdEnvironment.MasterOnly)
                info.Environment.Remove(name);
            foreach (string pair in settings.RawEnv)
            {
                int eq = pair.IndexOf('=');
                if (eq > 0)
                    info.Environment[pair[..eq]] = pair[(eq + 1)..];
            }
            SetGen0Budget(info.Environment, settings.WorkerGen0Budget);
            SetTiering(info.Environment, settings.WorkerTiering);

            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            process.Exited += onExited;

            // One spawn at a time: the inheritable window of the descriptors must not overlap another spawn,
            // or that process would inherit this worker's control socket too.
            lock (_spawnLock)
            {
                int childFd = FileDescriptors.DescriptorOf(childEnd);
                int handOffFd = FileDescriptors.DescriptorOf(handOffChild);
                FileDescriptors.SetCloseOnExec(childFd, false);
                FileDescriptors.SetCloseOnExec(handOffFd, false);
                FileDescriptors.SetCloseOnExec(board.Descriptor, false);
                try
                {
                    listeners.WithInheritable(process.Start);
                }
                finally
                {
                    FileDescriptors.SetCloseOnExec(childFd, true);
                    FileDescriptors.SetCloseOnExec(handOffFd, true);
                    FileDescriptors.SetCloseOnExec(board.Descriptor, true);
                }
            }
            childEnd.Dispose();
            handOffChild.Dispose();
            return new WorkerLink(process, parentEnd, handOffParent);
        }
        catch
        {
            parentEnd.Dispose();
            childEnd.Dispose();
            handOffParent.Dispose();
            handOffChild.Dispose();
            throw;
        }
    }

    [UnconditionalSuppressMessage("SingleFile", "IL3000:Avoid accessing Assembly file path when publishing as a single file",
        Justification = "Location is read only when the process is `dotnet app.dll`; a single-file or NativeAOT program is its own executable, never started by dotnet.")]
    private ProcessStartInfo CreateStartInfo(string workerTitle)
    {
        string executable = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this executable is unknown");
        var info = new ProcessStartInfo(executable) { UseShellExecute = false };
        // Started as `dotnet app.dll`: the worker needs the same entry assembly.
        if (Path.GetFileNameWithoutExtension(executable) == "dotnet" && Assembly.GetEntryAssembly()?.Location is { Length: > 0 } entry)
            info.ArgumentList.Add(entry);
        foreach (string arg in commandLineArgs)
            info.ArgumentList.Add(arg);
        // The worker writes its title over its own argv (ProcessTitle), which cannot grow: a short command line gets one
        // argument of spaces, room the worker ignores (it reads its settings from the environment).
        int missing = ProcessTitle.SizeOf(workerTitle) - ProcessTitle.SizeOf([info.FileName, .. info.ArgumentList]);
        if (missing > 0)
            info.ArgumentList.Add(new string(' ', missing));
        return info;
    }

    /// <summary>
    /// The GC reads its gen0 budget once, at start-up, from the environment (hexadecimal, no prefix); an operator's own
    /// DOTNET_GCgen0size (or the older COMPlus_ name), inherited or from raw_env, is left as it is.
    /// </summary>
    internal static void SetGen0Budget(IDictionary<string, string?> environment, int bytes)
    {
        if (bytes <= 0 || environment.ContainsKey(Gen0SizeVariable) || environment.ContainsKey("COMPlus_GCgen0size"))
            return;
        environment[Gen0SizeVariable] = bytes.ToString("x", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// worker_tiering quick: no instrumented tier, and call counting 32 ms (not 100) after the last new method was
    /// compiled, so that a new worker's hot code is recompiled once and soon. Each variable an operator set (inherited,
    /// raw_env, or the older COMPlus_ name) is left as it is; pgo sets nothing.
    /// </summary>
    internal static void SetTiering(IDictionary<string, string?> environment, WorkerTiering tiering)
    {
        if (tiering != WorkerTiering.Quick)
            return;
        foreach (var (name, value) in QuickTiering)
        {
            if (!environment.ContainsKey(name) && !environment.ContainsKey(string.Concat("COMPlus_", name.AsSpan("DOTNET_".Length))))
                environment[name] = value;
        }
    }
}
