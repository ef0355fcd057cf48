using System.Collections;
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
    /// <summary>Runs `tunicorn APP [options]`: the app and its hooks come from the APP setting.</summary>
    public static Task<int> RunAsync(string[] args) => RunAsync(args, embeddedApp: null, embeddedHooks: null);

    internal static async Task<int> RunAsync(string[] args, ThriftApplication? embeddedApp, ServerHooks? embeddedHooks)
    {
        Signals.ResetInheritedIgnores();
        if (WorkerEnvironment.IsWorkerProcess)
            return await WorkerHost.RunAsync(embeddedApp, embeddedHooks);

        var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
        var result = SettingsLoader.Load(args, environment, Directory.GetCurrentDirectory(), Console.Out, Console.Error);
        if (result.Command == SettingsCommand.Exit || result.Settings is null)
            return result.ExitCode;

        var settings = result.Settings;
        ProcessIdentity.SetThreadName(settings.ProcName ?? "tunicorn-master");
        if (settings.Chdir is { Length: > 0 } chdir)
            Directory.SetCurrentDirectory(chdir);
        if (settings.Umask is int mask)
            ProcessIdentity.SetUmask(mask);
        foreach (string pair in settings.RawEnv)
        {
            int eq = pair.IndexOf('=');
            Environment.SetEnvironmentVariable(pair[..eq], pair[(eq + 1)..]);
        }

        ServerGeneration Load(Settings s) => new(s, LoadHooks(s, embeddedApp, embeddedHooks));

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

        using var logging = new ServerLogging(settings);
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
            var again = SettingsLoader.Load(args, environment, Directory.GetCurrentDirectory(), output, errors);
            if (again.Command != SettingsCommand.Run || again.Settings is null)
                throw new InvalidOperationException("settings: " + (errors.ToString().Trim() is { Length: > 0 } e ? e : "the command line no longer runs a server"));
            return Load(again.Settings);
        }

        if (!ServiceRegistryFactory.TryCreate(settings, embeddedApp, logging.Factory, out var registry))
            return 1;
        var arbiter = new Arbiter(initial, Reload, new WorkerSpawner(args), logging.Factory, logging.Reopen, registry, settings.AdvertiseHost);
        return await arbiter.RunAsync();
    }

    /// <summary>
    /// The master loads the app assembly to find its hooks (and to refuse a broken app before any worker
    /// starts, or a broken reload before any old worker stops); it never creates a handler.
    /// </summary>
    private static ServerHooks LoadHooks(Settings settings, ThriftApplication? embeddedApp, ServerHooks? embeddedHooks)
    {
        if (embeddedHooks is not null)
            return embeddedHooks;
        var app = embeddedApp ?? ThriftApplication.Load(settings);
        return HooksResolver.Resolve(settings.Hooks, app.Assembly);
    }

    [LoggerMessage(EventId = 1060, Level = LogLevel.Critical, Message = "App failed to load: {Reason}")]
    private static partial void AppLoadFailed(ILogger logger, string reason);
}
