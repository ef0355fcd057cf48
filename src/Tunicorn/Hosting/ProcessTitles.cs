using System.Reflection;
using Tunicorn.Config;

namespace Tunicorn.Hosting;

/// <summary>
/// What ps shows for the master and its workers: <c>tunicorn: master [NAME]</c> and <c>tunicorn: worker [NAME]</c> in the
/// command line, as gunicorn shows with setproctitle, while the process name (comm) stays tunicorn-master and
/// tunicorn-worker, so that pgrep tunicorn finds them whatever proc_name is.
/// </summary>
internal static class ProcessTitles
{
    /// <summary>The process name (comm, 15 bytes at most) of the master.</summary>
    public const string MasterComm = "tunicorn-master";

    /// <summary>The process name (comm, 15 bytes at most) of a worker.</summary>
    public const string WorkerComm = "tunicorn-worker";

    public static string Master(Settings settings) => $"tunicorn: master [{NameOf(settings)}]";

    public static string Worker(Settings settings) => $"tunicorn: worker [{NameOf(settings)}]";

    /// <summary>proc_name, or else the app, as gunicorn defaults proc_name to the app it serves.</summary>
    public static string NameOf(Settings settings)
    {
        if (settings.ProcName is { Length: > 0 } name)
            return name;
        if (settings.App is { Length: > 0 } app)
            return AppName(app);
        if (settings.Services.Count > 0)
            return string.Join(",", settings.Services.Select(s => s[..Math.Max(s.IndexOf('='), 0)]));
        // Embedded mode: the program itself is the app.
        return Assembly.GetEntryAssembly()?.GetName().Name
            ?? Path.GetFileNameWithoutExtension(Environment.ProcessPath)
            ?? "tunicorn";
    }

    /// <summary>path/to/Calculator.dll:Ns.Type is Calculator:Ns.Type; the folders would only crowd ps.</summary>
    private static string AppName(string appSpec)
    {
        // A loop, not LastIndexOf(".dll", OrdinalIgnoreCase): that one call cost a new worker ~4 ms of CPU, half of it
        // compiling the runtime's vectorized search (which loading the app needs later anyway), half of it for nothing.
        int dll = appSpec.Length - ".dll".Length;
        while (dll >= 0 && !appSpec.AsSpan(dll, ".dll".Length).Equals(".dll", StringComparison.OrdinalIgnoreCase))
            dll--;
        if (dll < 0)
            return appSpec;
        string path = appSpec[..dll];
        string type = appSpec[(dll + ".dll".Length)..];
        return Path.GetFileName(path) + type;
    }
}
