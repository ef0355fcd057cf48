using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>
/// A child process started by a test: its stdout and stderr lines are captured as they come, it can be waited
/// for and signalled by pid, and disposing it kills it (by pid) if it still runs.
/// </summary>
internal sealed class ManagedProcess : IAsyncDisposable
{
    /// <summary>Variables a test run must not pass on by accident: they would change what the server reads.</summary>
    private static readonly string[] ScrubbedVariables = ["TUNICORN_CMD_ARGS", "PYTHONPATH", "PYTHONHOME",
        "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"];

    private readonly Process process;
    private readonly ulong startTime;

    private ManagedProcess(Process process, string description)
    {
        this.process = process;
        Description = description;
        Pid = process.Id;
        startTime = ProcessTable.Read(Pid)?.StartTime ?? 0;
    }

    public int Pid { get; }

    public string Description { get; }

    /// <summary>stderr lines (the server's log goes there).</summary>
    public LogBuffer Stderr { get; } = new();

    public LogBuffer Stdout { get; } = new();

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <param name="environment">Set (or, with a null value, remove) these variables on top of the test's own.</param>
    public static ManagedProcess Start(string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);
        foreach (string name in ScrubbedVariables)
            info.Environment.Remove(name);
        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                if (value is null)
                    info.Environment.Remove(name);
                else
                    info.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = info };
        string description = $"{fileName} {string.Join(' ', info.ArgumentList)}";
        if (!process.Start())
            throw new InvalidOperationException($"could not start {description}");
        var managed = new ManagedProcess(process, description);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) managed.Stderr.Add(e.Data); };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) managed.Stdout.Add(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        // Nothing is ever typed into a child; a closed stdin makes one that reads it see EOF instead of hanging.
        process.StandardInput.Close();
        return managed;
    }

    /// <summary>True while this very process (not a later one with the same pid) runs.</summary>
    public bool IsAlive => !process.HasExited && ProcessTable.IsAlive(Pid, startTime);

    public bool Signal(UnixSignal signal) => !process.HasExited && Posix.Kill(Pid, signal);

    /// <summary>Waits for a stderr line matching <paramref name="pattern"/> at or after line <paramref name="from"/>.</summary>
    public Task<Match> WaitForStderrAsync(Regex pattern, TimeSpan timeout, int from = 0) =>
        WaitForLineAsync(Stderr, pattern, timeout, from);

    public async Task<Match> WaitForLineAsync(LogBuffer buffer, Regex pattern, TimeSpan timeout, int from = 0)
    {
        Match? found = null;
        await Eventually.WaitUntilAsync(
            async () =>
            {
                found = buffer.FirstMatch(pattern, from);
                if (found is not null || !process.HasExited)
                    return found is not null;
                // Exited: the last lines may still be in the pipe; read to its end before giving up.
                await DrainAsync().ConfigureAwait(false);
                found = buffer.FirstMatch(pattern, from);
                if (found is null)
                    throw new InvalidOperationException(
                        $"{Description} exited with {process.ExitCode} before printing /{pattern}/{Environment.NewLine}{DescribeOutput()}");
                return true;
            },
            timeout,
            $"a line matching /{pattern}/ from {Description}",
            DescribeOutput).ConfigureAwait(false);
        return found!;
    }

    /// <summary>
    /// Waits until the process exits and returns its exit code. With <paramref name="drainOutput"/>, also waits
    /// (briefly) for the end of its output; a server's orphaned workers may hold the pipes open, so servers don't.
    /// </summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, bool drainOutput = true)
    {
        await Eventually.WaitUntilAsync(() => process.HasExited, timeout, $"{Description} (pid {Pid}) exits", DescribeOutput)
            .ConfigureAwait(false);
        if (drainOutput)
            await DrainAsync().ConfigureAwait(false);
        return process.ExitCode;
    }

    /// <summary>After exit: waits a little for the end of the output streams.</summary>
    private async Task DrainAsync()
    {
        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await process.WaitForExitAsync(drain.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Some grandchild still holds the pipe; what was read so far is what there is.
        }
    }

    public string DescribeOutput() =>
        $"{Description} (pid {Pid}){Environment.NewLine}stderr {Stderr.Tail()}stdout {Stdout.Tail(20)}";

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            if (ProcessTable.IsAlive(Pid, startTime))
                Posix.Kill(Pid, UnixSignal.Kill);
            try
            {
                await WaitForExitAsync(TimeSpan.FromSeconds(10), drainOutput: false).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Reported by the test that owned it, if anyone cares; nothing more can be done by pid.
            }
        }
        process.Dispose();
    }
}
