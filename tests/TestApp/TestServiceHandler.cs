namespace Tunicorn.TestApp;

/// <summary>
/// The handler the integration tests serve. <c>sleep</c> and <c>fire</c> block their thread on purpose
/// (Thread.Sleep, not Task.Delay): the timeout test needs a call that really occupies its worker.
/// When <c>TUNICORN_TEST_CALL_LOG</c> names a file, <c>sleep</c> appends <c>sleep_start PID MS</c> to it before
/// blocking, so that a test can send a signal exactly while the call is in flight instead of guessing a delay, and
/// <c>sleep_end PID MS</c> after, so that a test sees how many calls a worker ran at once.
/// When <c>TUNICORN_TEST_RELEASE_FILE</c> names a file, <c>sleep</c> also ends as soon as that file exists, so that a
/// test holds calls blocked exactly until it releases them.
/// When <c>TUNICORN_TEST_BOOT_BUDGET_FILE</c> names a file that exists, it holds how many more handlers may be created
/// (the master's check at a start or HUP counts, as does each worker's boot): each creation takes one, and once none is
/// left the constructor throws, so that a test breaks the app exactly at the Nth worker of a rollout. Without the file
/// there is no limit.
/// </summary>
public sealed class TestServiceHandler : testapp.TestService.IAsync
{
    public const string CallLogVariable = "TUNICORN_TEST_CALL_LOG";
    public const string ReleaseFileVariable = "TUNICORN_TEST_RELEASE_FILE";
    /// <summary>When set, every echo call appends "echo S" to this file: the tests count how often each call ran.</summary>
    public const string EchoLogVariable = "TUNICORN_TEST_ECHO_LOG";
    public const string BootBudgetFileVariable = "TUNICORN_TEST_BOOT_BUDGET_FILE";

    public TestServiceHandler()
    {
        string? budgetFile = Environment.GetEnvironmentVariable(BootBudgetFileVariable);
        if (string.IsNullOrEmpty(budgetFile) || !File.Exists(budgetFile))
            return;
        // Read and written by one process at a time: a rolling reload with max_surge 1 creates its handlers one after another.
        int left = int.Parse(File.ReadAllText(budgetFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        if (left <= 0)
            throw new InvalidOperationException($"refusing to start: the boot budget in {budgetFile} is spent ({BootBudgetFileVariable})");
        File.WriteAllText(budgetFile, (left - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public Task<int> add(int a, int b, CancellationToken cancellationToken = default) =>
        Task.FromResult(a + b);

    public Task<int> pid(CancellationToken cancellationToken = default) =>
        Task.FromResult(Environment.ProcessId);

    public Task sleep(int ms, CancellationToken cancellationToken = default)
    {
        string? callLog = Environment.GetEnvironmentVariable(CallLogVariable);
        if (!string.IsNullOrEmpty(callLog))
            AppendOnlyLog.AppendLine(callLog, $"sleep_start {Environment.ProcessId} {ms}");
        string? releaseFile = Environment.GetEnvironmentVariable(ReleaseFileVariable);
        if (string.IsNullOrEmpty(releaseFile))
        {
            Thread.Sleep(ms);
        }
        else
        {
            // Still blocks its thread, as a blocking library would; only the end comes from the test.
            long end = Environment.TickCount64 + ms;
            while (Environment.TickCount64 < end && !File.Exists(releaseFile))
                Thread.Sleep(10);
        }
        if (!string.IsNullOrEmpty(callLog))
            AppendOnlyLog.AppendLine(callLog, $"sleep_end {Environment.ProcessId} {ms}");
        return Task.CompletedTask;
    }

    public Task<string> echo(string? s, CancellationToken cancellationToken = default)
    {
        if (Environment.GetEnvironmentVariable(EchoLogVariable) is { Length: > 0 } echoLog)
            AppendOnlyLog.AppendLine(echoLog, $"echo {s}");
        return Task.FromResult(s ?? string.Empty);
    }

    // Static, as a leaking cache would be: what hoard took stays referenced after the OutOfMemoryException.
    private static readonly List<byte[]> s_hoard = [];

    public Task<int> hoard(int max_mb, CancellationToken cancellationToken = default)
    {
        lock (s_hoard)
        {
            while (s_hoard.Count * 4 < max_mb)
            {
                var chunk = new byte[4 * 1024 * 1024];
                // Touched, so that the pages are really the process's.
                Array.Fill(chunk, (byte)1);
                s_hoard.Add(chunk);
            }
            return Task.FromResult(s_hoard.Count * 4);
        }
    }

    public async Task say(string? text, CancellationToken cancellationToken = default)
    {
        await Console.Out.WriteLineAsync("stdout: " + text);
        await Console.Error.WriteLineAsync("stderr: " + text);
    }

    public Task fire(int ms, CancellationToken cancellationToken = default)
    {
        if (ms > 0)
            Thread.Sleep(ms);
        return Task.CompletedTask;
    }

    /// <summary>An undeclared exception whose message the test chose: what a handler's log line carries from its code.</summary>
    public Task fail(string? message, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException(message);

    public Task exit_process(int code, CancellationToken cancellationToken = default)
    {
        Environment.Exit(code);
        return Task.CompletedTask;
    }
}
