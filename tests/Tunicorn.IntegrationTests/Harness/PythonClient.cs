using System.Globalization;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>
/// Runs the Python test clients (tests/clients/python) with Debian's /usr/bin/python3 and python3-thrift — not
/// whatever python3 is first on PATH — and the generated code of <see cref="PythonCodegen"/> on PYTHONPATH.
/// </summary>
internal static class PythonClient
{
    public const string Interpreter = "/usr/bin/python3";

    public const string CalculatorScript = "calculator_client.py";
    public const string LoadScript = "load_client.py";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Endpoint options for a TCP port on loopback.</summary>
    public static string[] Tcp(int port) => ["--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture)];

    /// <summary>Endpoint options for a Unix socket.</summary>
    public static string[] Unix(string path) => ["--unix", path];

    /// <summary>Options for load_client.py.</summary>
    public static string[] Load(int connections, double durationSeconds, double pauseMs = 0, string? mode = null)
    {
        List<string> args =
        [
            "--connections", connections.ToString(CultureInfo.InvariantCulture),
            "--duration", durationSeconds.ToString(CultureInfo.InvariantCulture),
            "--pause-ms", pauseMs.ToString(CultureInfo.InvariantCulture),
        ];
        if (mode is not null)
            args.Add(mode);
        return [.. args];
    }

    public const string RetryOnceOnIdleClose = "--retry-once-on-idle-close";
    public const string ConnectionPerCall = "--connection-per-call";

    /// <summary>Runs a client script to its end.</summary>
    public static async Task<PythonResult> RunAsync(string script, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        await using var running = await StartAsync(script, arguments).ConfigureAwait(false);
        return await running.CompleteAsync(timeout ?? DefaultTimeout).ConfigureAwait(false);
    }

    /// <summary>Starts a client script and returns while it runs (for load during signals).</summary>
    public static async Task<RunningPython> StartAsync(string script, IEnumerable<string> arguments)
    {
        string generated = await PythonCodegen.DirectoryAsync().ConfigureAwait(false);
        string scripts = RepoPaths.PythonClients;
        var environment = new Dictionary<string, string?>
        {
            ["PYTHONPATH"] = $"{generated}:{scripts}",
            ["PYTHONDONTWRITEBYTECODE"] = "1",
            ["PYTHONUNBUFFERED"] = "1",
        };
        var process = ManagedProcess.Start(Interpreter, [Path.Combine(scripts, script), .. arguments], environment, scripts);
        return new RunningPython(process);
    }
}
