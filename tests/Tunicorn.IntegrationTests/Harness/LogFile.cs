using System.Text.RegularExpressions;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>A log file the server writes (error log or access log), read while it is being written.</summary>
internal static class LogFile
{
    /// <summary>An error-log line as the server writes every one: time, pid, level, a message, nothing after.</summary>
    public static readonly Regex WellFormedErrorLine = new(
        @"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] \[\d+\] \[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\] \S[^\x00-\x1f\x7f]*$",
        RegexOptions.CultureInvariant);

    /// <summary>The complete lines of <paramref name="path"/> so far (none when it does not exist yet).</summary>
    public static IReadOnlyList<string> Lines(string path)
    {
        if (!File.Exists(path))
            return [];
        string text = File.ReadAllText(path);
        int end = text.LastIndexOf('\n');
        return end < 0 ? [] : text[..end].Split('\n');
    }

    public static int Count(string path, Regex pattern) => Lines(path).Count(pattern.IsMatch);

    /// <summary>Waits until <paramref name="errorLog"/> says <paramref name="workers"/> workers booted.</summary>
    public static Task WaitForBootedWorkersAsync(string errorLog, int workers, TunicornServer server) =>
        Eventually.WaitUntilAsync(() => Count(errorLog, LogPatterns.WorkerBooted) >= workers, TunicornServer.BootTimeout,
            $"{workers} booted workers in {errorLog}", () => server.Describe() + Environment.NewLine + string.Join(Environment.NewLine, Lines(errorLog).TakeLast(40)));
}
