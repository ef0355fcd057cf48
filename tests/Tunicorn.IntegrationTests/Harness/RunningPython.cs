using System.Text.RegularExpressions;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>A Python client that is still running (e.g. load_client.py while the test signals the server).</summary>
internal sealed partial class RunningPython(ManagedProcess process) : IAsyncDisposable
{
    public int Pid => process.Pid;

    /// <summary>Waits for load_client.py's "ready": every connection has made its first call.</summary>
    public Task WaitForReadyAsync(TimeSpan? timeout = null) =>
        process.WaitForStderrAsync(ReadyLine(), timeout ?? TimeSpan.FromSeconds(20));

    /// <summary>Waits for the client to finish and returns what it printed.</summary>
    public async Task<PythonResult> CompleteAsync(TimeSpan timeout)
    {
        int code = await process.WaitForExitAsync(timeout).ConfigureAwait(false);
        return new PythonResult(code, string.Join('\n', process.Stdout.Snapshot()), string.Join('\n', process.Stderr.Snapshot()));
    }

    /// <summary>Waits for load_client.py to finish and parses its summary.</summary>
    public async Task<LoadResult> LoadResultAsync(TimeSpan timeout)
    {
        var result = await CompleteAsync(timeout).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"load_client.py failed: {result}");
        return LoadResult.From(result);
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();

    [GeneratedRegex("^ready$")]
    private static partial Regex ReadyLine();
}
