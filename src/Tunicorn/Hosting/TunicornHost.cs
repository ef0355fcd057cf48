using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tunicorn.Config;
using Tunicorn.Hooks;
using Tunicorn.Interop;
using Tunicorn.Logging;
using Tunicorn.Master;
using Tunicorn.Registry;
using Tunicorn.Systemd;
using Tunicorn.Thrift;
using Tunicorn.Tls;
using Tunicorn.Worker;
using Tunicorn.WorkerContract;

namespace Tunicorn.Hosting;

/// <summary>
/// The one entry point of the `tunicorn` command and of embedded programs. The master re-launches the same
/// executable as its workers, so this method runs in both: it becomes a worker when the master's environment
/// variables say so, and the master otherwise.
/// </summary>
public static partial class TunicornHost
{
    internal const string LoadsByName =
        "Loads the APP assembly by path and finds its handler, hooks and service_register_cls classes by name, which trimming " +
        "and NativeAOT cannot see; an embedded program registers them in code instead (TunicornHostBuilder).";

    /// <summary>Runs `tunicorn APP [options]`: the app and its hooks come from the APP setting.</summary>
    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    public static Task<int> RunAsync(string[] args) => RunAsync(args, new AppSource(
        // The master loads the app assembly to find its hooks (and to refuse a broken app before any worker
        // starts, or a broken reload before any old worker stops), unloadably: it loads it again at every HUP.
        LoadApp: ThriftApplication.LoadUnloadable,
        LoadHooks: (settings, app) => HooksResolver.Resolve(settings.Hooks, app.Assembly),
        RunWorker: () => WorkerHost.RunAsync(embeddedApp: null, embeddedHooks: null),
        CreateRegistry: (Settings settings, ILoggerFactory loggerFactory, out IServiceRegistry registry, out string? error) =>
            ServiceRegistryFactory.TryCreate(settings, embeddedApp: null, loggerFactory, out registry, out error)));

    /// <summary>
    /// Embedded mode: the app and hooks registered in code. Nothing is looked up by name here, so that a trimmed or
    /// NativeAOT program keeps all it runs: hooks named by the hooks setting are refused (give them with UseHooks).
    /// </summary>
    internal static Task<int> RunAsync(string[] args, ThriftApplication embeddedApp, ServerHooks? embeddedHooks) => RunAsync(args, new AppSource(
        LoadApp: _ => embeddedApp,
        LoadHooks: (settings, _) => embeddedHooks ?? (settings.Hooks is null ? new NoHooks()
            : throw new HooksLoadException($"hooks: '{settings.Hooks}': an embedded program gives its hooks in code (TunicornHostBuilder.UseHooks), not by class name")),
        RunWorker: () => WorkerHost.RunEmbeddedAsync(embeddedApp, embeddedHooks),
        CreateRegistry: (Settings settings, ILoggerFactory loggerFactory, out IServiceRegistry registry, out string? error) =>
            ServiceRegistryFactory.TryCreateEmbedded(settings, embeddedApp, loggerFactory, out registry, out error)));

    /// <summary>Where the master and its workers get the app, its hooks and the service registry.</summary>
    private sealed record AppSource(Func<Settings, ThriftApplication> LoadApp, Func<Settings, ThriftApplication, ServerHooks> LoadHooks,
        Func<Task<int>> RunWorker, RegistryFactory CreateRegistry);

    private delegate bool RegistryFactory(Settings settings, ILoggerFactory loggerFactory, out IServiceRegistry registry, out string? error);

    private static Task<int> RunAsync(string[] args, AppSource source)
    {
        Signals.ResetInheritedIgnores();
        // Not inside the master's async method: a worker would otherwise set up that method's large state machine (and
        // its share of the runtime's type loading) only to await the worker through it.
        return WorkerEnvironment.IsWorkerProcess ? source.RunWorker() : RunMasterAsync(args, source);
    }

    private static async Task<int> RunMasterAsync(string[] args, AppSource source)
    {
        if (args is [Control.ControlCommandLine.Verb, ..])
            return await Control.ControlCommandLine.RunAsync(args[1..], Console.Out, Console.Error);

        var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
        // Relative paths on the command line mean this directory, at start and at every reload after chdir.
        string startDirectory = Directory.GetCurrentDirectory();
        Logging.LogLevelRules.BaseDirectory = startDirectory;
        var result = SettingsLoader.Load(args, environment, startDirectory, Console.Out, Console.Error);
        if (result.Command == SettingsCommand.Exit || result.Settings is null)
            return result.ExitCode;

        var settings = result.Settings;
        // A master started by an upgrade runs where its predecessor did: already detached when that one was.
        int? upgradeParent = UpgradeEnvironment.UpgradeParent(Environment.GetEnvironmentVariable);
        Environment.SetEnvironmentVariable(UpgradeEnvironment.ParentPid, null);
        if (settings.Daemon && result.Command == SettingsCommand.Run && !Daemon.IsDetachedMaster && upgradeParent is null)
            return await Daemon.LaunchAsync(args);
        using var daemon = settings.Daemon && Daemon.IsDetachedMaster ? Daemon.BeginDetached() : null;
        ProcessIdentity.SetThreadName(ProcessTitles.MasterComm);
        ProcessTitle.TrySet(ProcessTitles.Master(settings));
        if (settings.Chdir is { Length: > 0 } chdir)
        {
            try
            {
                Directory.SetCurrentDirectory(chdir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // SettingPaths checked it a moment ago; what is left is a race or a permission: a run-time failure.
                return Fail($"{ProcessSettings.Chdir.Name}: cannot change to '{chdir}': {FileErrorText.Reason(e)}");
            }
        }
        if (settings.Umask is int mask)
            ProcessIdentity.SetUmask(mask);
        foreach (string pair in settings.RawEnv)
        {
            int eq = pair.IndexOf('=');
            Environment.SetEnvironmentVariable(pair[..eq], pair[(eq + 1)..]);
        }

        // What a start, a reload and --check-config all check before anything listens: the app loads, each handler can
        // be created (as gunicorn's check loads the app, and gunicorn_thrift's app module builds its handler), the
        // certificate can be read, the hooks class exists.
        ServerGeneration Load(Settings s)
        {
            var app = source.LoadApp(s);
            try
            {
                app.CheckHandlers();
                CheckTls(s);
                return new ServerGeneration(s, source.LoadHooks(s, app)) { UnloadApp = app.Unload };
            }
            catch
            {
                app.Unload();
                throw;
            }
        }

        if (result.Command == SettingsCommand.CheckConfig)
        {
            try
            {
                Load(settings).UnloadApp?.Invoke();
                if (!source.CreateRegistry(settings, NullLoggerFactory.Instance, out var registryChecked, out string? registryError))
                    throw new SettingsCheckException(registryError ?? "service_register_cls: the registry cannot be created");
                await registryChecked.DisposeAsync();
                Console.Out.WriteLine($"tunicorn: configuration OK ({settings.App ?? "embedded app"})");
                return 0;
            }
            catch (Exception e) when (e is AppLoadException or HooksLoadException or SettingsCheckException)
            {
                Console.Error.WriteLine("tunicorn: error: " + e.Message);
                return 1;
            }
        }

        ServerLogging logging;
        try
        {
            logging = ServerLogging.ForMaster(settings);
        }
        catch (IOException e)
        {
            // No log to write to: the one line goes to stderr, as a settings error does.
            return Fail(e.Message);
        }
        using var ownedLogging = logging;
        var log = logging.Factory.CreateLogger("tunicorn.master");
        ServerGeneration initial;
        try
        {
            initial = Load(settings);
        }
        catch (AppLoadException e)
        {
            AppLoadFailed(log, e.Message);
            return (int)WorkerExitCode.AppLoadError;
        }
        catch (HooksLoadException e)
        {
            AppLoadFailed(log, e.Message);
            return (int)WorkerExitCode.BootError;
        }
        catch (SettingsCheckException e)
        {
            CannotServe(log, e.Message);
            return 1;
        }

        ServerGeneration Reload()
        {
            var output = new StringWriter();
            var errors = new StringWriter();
            var again = SettingsLoader.Load(args, environment, startDirectory, output, errors);
            if (again.Command != SettingsCommand.Run || again.Settings is null)
            {
                // The loader words its line for a terminal ("tunicorn: error: workers: ..."); in the master's log it
                // follows "Reload failed ...: settings: ", which says the rest.
                string error = errors.ToString().Trim();
                if (error.StartsWith(SettingsErrorPrefix, StringComparison.Ordinal))
                    error = error[SettingsErrorPrefix.Length..];
                throw new InvalidOperationException("settings: " + (error.Length > 0 ? error : "the command line no longer runs a server"));
            }
            return Load(again.Settings);
        }

        IReadOnlyList<ActivatedSocket> activated;
        try
        {
            activated = [.. SocketActivation.FromEnvironment(Environment.GetEnvironmentVariable, Environment.ProcessId, logging.Factory),
                .. InheritedListeners.TakeFromEnvironment(logging.Factory)];
        }
        catch (InvalidOperationException e)
        {
            CannotServe(log, e.Message);
            return 1;
        }
        using var notifier = SystemdNotifier.FromEnvironment(Environment.GetEnvironmentVariable, Environment.ProcessId, logging.Factory, upgradeParent);

        if (!source.CreateRegistry(settings, logging.Factory, out var registry, out string? error))
        {
            RegistryNotStarted(log, error ?? "unknown reason");
            return 1;
        }
        var arbiter = new Arbiter(initial, Reload, new OsProcessControl(new WorkerSpawner(args)), logging.Factory, () => logging.Reopen(), registry, settings.AdvertiseHost)
        {
            Listening = daemon is null ? null : () => daemon.ReportListening(captured: settings.CaptureOutput && settings.ErrorLog != "-"),
            ServiceNotifier = notifier,
            ActivatedSockets = activated,
            ServeControlSocket = true,
            MasterLauncher = new OsMasterLauncher(args, startDirectory),
            UpgradeParentPid = upgradeParent,
        };
        return await arbiter.RunAsync();
    }

    /// <summary>A run-time failure before the log is open: one line on stderr, exit status 1.</summary>
    private static int Fail(string message)
    {
        Console.Error.WriteLine(SettingsErrorPrefix + message);
        return ExitCodes.RuntimeFailure;
    }

    private const string SettingsErrorPrefix = "tunicorn: error: ";

    private static void CheckTls(Settings settings)
    {
        try
        {
            _ = ServerTls.FromSettings(settings);
        }
        catch (ArgumentException e)
        {
            throw new SettingsCheckException(e.Message, e);
        }
    }

    [LoggerMessage(EventId = 1060, Level = LogLevel.Critical, Message = "App failed to load: {Reason}")]
    private static partial void AppLoadFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1061, Level = LogLevel.Critical, Message = "Cannot serve with these settings: {Reason}")]
    private static partial void CannotServe(ILogger logger, string reason);

    [LoggerMessage(EventId = 1062, Level = LogLevel.Critical, Message = "Service registry not started: {Reason}")]
    private static partial void RegistryNotStarted(ILogger logger, string reason);
}
