namespace Tunicorn.FailingApp;

/// <summary>
/// A handler whose constructor throws, served as <c>FailingApp.dll</c>: the master creates each handler once before it
/// binds (and --check-config does), so the start stops there with the reason, before anything listens.
/// </summary>
public sealed class FailingHandler : testapp.TestService.IAsync
{
    public FailingHandler() => throw new InvalidOperationException("the database this handler needs is unreachable");

    public Task<int> add(int a, int b, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<int> pid(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task sleep(int ms, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<string> echo(string? s, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task fire(int ms, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task fail(string? message, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<int> hoard(int max_mb, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task exit_process(int code, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task say(string? text, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
