using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Tunicorn.Config;
using Tunicorn.Hooks;
using Tunicorn.Interop;
using Tunicorn.Logging;
using Tunicorn.Master;
using Tunicorn.Registry;
using Tunicorn.Thrift;
using Tunicorn.Worker;

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
        // starts, or a broken reload before any old worker stops); it never creates a handler.
        LoadHooks: settings => HooksResolver.Resolve(settings.Hooks, ThriftApplication.Load(settings).Assembly),
        RunWorker: () => WorkerHost.RunAsync(embeddedApp: null, embeddedHooks: null),
        CreateRegistry: (Settings settings, ILoggerFactory loggerFactory, out IServiceRegistry registry) =>
            ServiceRegistryFactory.TryCreate(settings, embeddedApp: null, loggerFactory, out registry)));

    /// <summary>
    /// Embedded mode: the app and hooks registered in code. Nothing is looked up by name here, so that a trimmed or
    /// NativeAOT program keeps all it runs: hooks named by the hooks setting are refused (give them with UseHooks).
    /// </summary>
    internal static Task<int> RunAsync(string[] args, ThriftApplication embeddedApp, ServerHooks? embeddedHooks) => RunAsync(args, new AppSource(
        LoadHooks: settings => embeddedHooks ?? (settings.Hooks is null ? new NoHooks()
            : throw new HooksLoadException($"hooks: '{settings.Hooks}': an embedded program gives its hooks in code (TunicornHostBuilder.UseHooks), not by class name")),
        RunWorker: () => WorkerHost.RunEmbeddedAsync(embeddedApp, embeddedHooks),
        CreateRegistry: (Settings settings, ILoggerFactory loggerFactory, out IServiceRegistry registry) =>
            ServiceRegistryFactory.TryCreateEmbedded(settings, embeddedApp, loggerFactory, out registry)));

    /// <summary>Where the master and its workers get the app, its hooks and the service registry.</summary>
    private sealed record AppSource(Func<Settings, ServerHooks> LoadHooks, Func<Task<int>> RunWorker, RegistryFactory CreateRegistry);

    private delegate bool RegistryFactory(Settings settings, ILoggerFactory loggerFactory, out IServiceRegistry registry);

    private static async Task<int> RunAsync(string[] args, AppSource source)
    {
        Signals.ResetInheritedIgnores();
        if (WorkerEnvironment.IsWorkerProcess)
            return await source.RunWorker();

        var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
        // Relative paths on the command line mean this directory, at start and at every reload after chdir.
        string startDirectory = Directory.GetCurrentDirectory();
        var result = SettingsLoader.Load(args, environment, startDirectory, Console.Out, Console.Error);
        if (result.Command == SettingsCommand.Exit || result.Settings is null)
            return result.ExitCode;

        var settings = result.Settings;
        if (settings.Daemon && result.Command == SettingsCommand.Run && !Daemon.IsDetachedMaster)
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

        ServerGeneration Load(Settings s) => new(s, source.LoadHooks(s));

        if (result.Command == SettingsCommand.CheckConfig)
        {
            try
            {
                Load(settings);
                Console.Out.WriteLine($"tunicorn: configuration OK ({settings.App ?? "embedded app"})");
                return 0;
            }
            catch (Exception e) when (e is AppLoadException or HooksLoadException)
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

        ServerGeneration Reload()
        {
            var output = new StringWriter();
            var errors = new StringWriter();
            var again = SettingsLoader.Load(args, environment, startDirectory, output, errors);
            if (again.Command != SettingsCommand.Run || again.Settings is null)
                throw new InvalidOperationException("settings: " + (errors.ToString().Trim() is { Length: > 0 } e ? e : "the command line no longer runs a server"));
            return Load(again.Settings);
        }

        if (!source.CreateRegistry(settings, logging.Factory, out var registry))
            return 1;
        var arbiter = new Arbiter(initial, Reload, new WorkerSpawner(args), logging.Factory, () => logging.Reopen(), registry, settings.AdvertiseHost)
        {
            Listening = daemon is null ? null : daemon.ReportListening,
        };
        return await arbiter.RunAsync();
    }

    /// <summary>A run-time failure before the log is open: one line on stderr, exit status 1.</summary>
    private static int Fail(string message)
    {
        Console.Error.WriteLine("tunicorn: error: " + message);
        return ExitCodes.RuntimeFailure;
    }

    [LoggerMessage(EventId = 1060, Level = LogLevel.Critical, Message = "App failed to load: {Reason}")]
    private static partial void AppLoadFailed(ILogger logger, string reason);
}
