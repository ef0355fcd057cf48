using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tunicorn.Config;
using Tunicorn.Hosting;
using Tunicorn.Hooks;
using Tunicorn.Interop;
using Tunicorn.Logging;
using Tunicorn.Thrift;
using Tunicorn.WorkerContract;

namespace Tunicorn.Worker;

/// <summary>
/// The boot of a worker process: adopt the inherited descriptors, drop privileges, load the app and the hooks,
/// run post_fork, then hand over to the worker class. A boot failure is reported to the master with its reason
/// and ends the process with a boot-error exit code, so the master can decide to halt or keep old workers.
/// </summary>
internal static partial class WorkerHost
{
    /// <param name="embeddedApp">The app registered in code (embedded mode), or null to load the APP setting.</param>
    /// <param name="embeddedHooks">Hooks given in code, or null to resolve the hooks setting.</param>
    [RequiresUnreferencedCode(ThriftApplication.LoadsByName)]
    [RequiresDynamicCode(ThriftApplication.LoadsByName)]
    public static Task<int> RunAsync(ThriftApplication? embeddedApp, ServerHooks? embeddedHooks) =>
        RunAsync(settings => embeddedApp ?? ThriftApplication.Load(settings),
            (settings, app) => embeddedHooks ?? HooksResolver.Resolve(settings.Hooks, app.Assembly));

    /// <summary>Embedded mode: the app and hooks registered in code; nothing is looked up by name (the master refused a hooks setting).</summary>
    internal static Task<int> RunEmbeddedAsync(ThriftApplication app, ServerHooks? hooks) =>
        RunAsync(_ => app, (settings, _) => hooks ?? (settings.Hooks is null ? new NoHooks()
            : throw new HooksLoadException($"hooks: '{settings.Hooks}': an embedded program gives its hooks in code, not by class name")));

    private static async Task<int> RunAsync(Func<Settings, ThriftApplication> loadApp, Func<Settings, ThriftApplication, ServerHooks> loadHooks)
    {
        var environment = WorkerEnvironment.ReadAndClear();
        var settings = Settings.Deserialize(environment.SerializedSettings);
        // Still on the main thread, whose name is the one ps and top show for the process.
        ProcessIdentity.SetThreadName(ProcessTitles.WorkerComm);
        ProcessTitle.TrySet(ProcessTitles.Worker(settings));
        using var logging = ServerLogging.ForWorker(settings);
        var log = logging.Factory.CreateLogger("tunicorn.worker");
        Socket? control = null;
        try
        {
            control = FileDescriptors.FromDescriptor(environment.ControlFd);
            var listeners = new Socket[environment.ListenerFds.Count];
            for (int i = 0; i < listeners.Length; i++)
                listeners[i] = FileDescriptors.FromDescriptor(environment.ListenerFds[i]);
            Socket? handOff = null;
            if (environment.HandOffFd >= 0)
            {
                // Inherited without close-on-exec: processes the app starts must not get it.
                FileDescriptors.SetCloseOnExec(environment.HandOffFd, true);
                handOff = FileDescriptors.FromDescriptor(environment.HandOffFd);
            }
            if (settings.Umask is int mask)
                ProcessIdentity.SetUmask(mask);
            SwitchUser(settings);

            ThriftApplication app;
            try
            {
                app = loadApp(settings);
            }
            catch (AppLoadException e)
            {
                return Fail(control, log, WorkerExitCode.AppLoadError, "App failed to load: " + e.Message);
            }

            if (PrivateAppFolder.Failure is { } copyFailure)
                AppCopyFailed(log, copyFailure);

            ServerHooks hooks;
            try
            {
                hooks = loadHooks(settings, app);
            }
            catch (HooksLoadException e)
            {
                return Fail(control, log, WorkerExitCode.BootError, e.Message);
            }

            var connection = ThriftConnectionOptions.FromSettings(settings, logging.Factory);
            connection.MessageMemory?.WatchHeap();
            var options = new WorkerOptions(settings, environment.Age, environment.MasterPid, listeners, control, app, connection,
                hooks, logging.Factory, log, logging.AccessLog, logging.Reopen, ConnectionBoard.Open(environment.BoardFd), environment.BoardSlot,
                handOff);
            WorkerBase worker = settings.WorkerClass switch
            {
                WorkerClass.Sync => new SyncWorker(options),
                WorkerClass.Threaded => new ThreadedWorker(options),
                _ => new AsyncWorker(options),
            };
            new HookRunner(hooks, log).Run("post_fork", h => h.PostFork(worker));

            // Build the handler now: a constructor that throws is a boot error, not a failed first call.
            if (!connection.ProcessorPerConnection)
            {
                try
                {
                    app.GetProcessor(perConnection: false, logging.Factory);
                }
                catch (Exception e)
                {
                    return Fail(control, log, WorkerExitCode.AppLoadError, $"App failed to load: cannot create {app.HandlerType.FullName}: {(e.InnerException ?? e).Message}");
                }
            }

            return await worker.RunAsync();
        }
        catch (Exception e) when (e is InteropException or ArgumentException or SocketException or IOException)
        {
            return Fail(control, log, WorkerExitCode.BootError, e.Message); // the log line and the master say "failed to boot" already
        }
    }

    private static void SwitchUser(Settings settings)
    {
        if (settings.User is null && settings.Group is null)
            return;
        var (uid, gid) = ProcessIdentity.ResolveWorkerIds(settings.User, settings.Group);
        ProcessIdentity.SwitchTo(uid, gid, settings.Initgroups ? settings.User : null);
    }

    private static int Fail(Socket? control, ILogger log, WorkerExitCode code, string reason)
    {
        BootFailed(log, Environment.ProcessId, reason);
        try
        {
            control?.Send(System.Text.Encoding.UTF8.GetBytes(WorkerReport.Error(reason).Format()));
        }
        catch (SocketException)
        {
            // The master is gone; the exit code still tells.
        }
        return (int)code;
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Error, Message = "Worker (pid: {Pid}) failed to boot: {Reason}")]
    private static partial void BootFailed(ILogger logger, int pid, string reason);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "App loaded without its precompiled code: {Reason}")]
    private static partial void AppCopyFailed(ILogger logger, string reason);
}
