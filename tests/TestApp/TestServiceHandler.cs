namespace Tunicorn.TestApp;

/// <summary>
/// The handler the integration tests serve. <c>sleep</c> and <c>fire</c> block their thread on purpose
/// (Thread.Sleep, not Task.Delay): the timeout test needs a call that really occupies its worker.
/// When <c>TUNICORN_TEST_CALL_LOG</c> names a file, <c>sleep</c> appends <c>sleep_start PID MS</c> to it before
/// blocking, so that a test can send a signal exactly while the call is in flight instead of guessing a delay.
/// When <c>TUNICORN_TEST_RELEASE_FILE</c> names a file, <c>sleep</c> also ends as soon as that file exists, so that a
/// test holds calls blocked exactly until it releases them.
/// </summary>
public sealed class TestServiceHandler : testapp.TestService.IAsync
{
    public const string CallLogVariable = "TUNICORN_TEST_CALL_LOG";
    public const string ReleaseFileVariable = "TUNICORN_TEST_RELEASE_FILE";

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
            return Task.CompletedTask;
        }
        // Still blocks its thread, as a blocking library would; only the end comes from the test.
        long end = Environment.TickCount64 + ms;
        while (Environment.TickCount64 < end && !File.Exists(releaseFile))
            Thread.Sleep(10);
        return Task.CompletedTask;
    }

    public Task<string> echo(string? s, CancellationToken cancellationToken = default) =>
        Task.FromResult(s ?? string.Empty);

    public Task fire(int ms, CancellationToken cancellationToken = default)
    {
        if (ms > 0)
            Thread.Sleep(ms);
        return Task.CompletedTask;
    }
}
