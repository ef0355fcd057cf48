using System.Text.RegularExpressions;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>
/// Every server log line the tests wait on or parse, in one place so that a change of wording in the server is
/// a change here only. Lines look like <c>[2026-11-27 05:12:14 +0000] [PID] [LEVEL] message</c>; the patterns
/// match the message part and don't anchor, so the prefix may change too.
/// </summary>
internal static class LogPatterns
{
    private const RegexOptions Options = RegexOptions.CultureInvariant;

    /// <summary>The standard prefix: time, pid of the process that logged, level.</summary>
    public static readonly Regex Prefix = new(@"^\[(?<time>[^\]]+)\] \[(?<pid>\d+)\] \[(?<level>[A-Za-z]+)\] (?<message>.*)$", Options);

    /// <summary><c>Listening at: 127.0.0.1:9090 (MASTERPID)</c>, or <c>unix:/path</c>.</summary>
    public static readonly Regex ListeningAt = new(@"Listening at: (?<address>\S+) \((?<pid>\d+)\)", Options);

    public static readonly Regex BootingWorker = new(@"Booting worker with pid: (?<pid>\d+)", Options);

    /// <summary>The worker accepts connections from this line on.</summary>
    public static readonly Regex WorkerBooted = new(@"Worker booted \(pid: (?<pid>\d+)\)", Options);

    /// <summary><c>WORKER TIMEOUT (pid:N)</c> and, on the same line, why.</summary>
    public static readonly Regex WorkerTimeout = new(@"WORKER TIMEOUT \(pid: ?(?<pid>\d+)\)(?<reason>.*)$", Options);

    /// <summary>R == A: no call the worker read was left without a reply (oneway calls count in neither).</summary>
    public static readonly Regex WorkerExiting = new(@"Worker exiting \(pid: (?<pid>\d+)\): calls read=(?<read>\d+) answered=(?<answered>\d+)", Options);

    public static readonly Regex ShuttingDownMaster = new(@"Shutting down: Master", Options);

    /// <summary>A line logged at error level or above, whichever process logged it.</summary>
    public static readonly Regex ErrorLevel = new(@"\[(ERROR|CRITICAL|FATAL|error|critical|fatal)\]", Options);

    /// <summary><c>Handling signal: hup</c>; signal names are lowercase, without SIG.</summary>
    public static Regex HandlingSignal(UnixSignal signal) =>
        new($@"Handling signal: {signal.ToString().ToLowerInvariant()}\b", Options);

    public static Regex WorkerBootedPid(int pid) => new($@"Worker booted \(pid: {pid}\)", Options);

    public static Regex WorkerTimeoutPid(int pid) => new($@"WORKER TIMEOUT \(pid: ?{pid}\)(?<reason>.*)$", Options);

    public static Regex WorkerExitingPid(int pid) => new($@"Worker exiting \(pid: {pid}\)", Options);
}
