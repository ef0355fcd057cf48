namespace Tunicorn.FailingApp;

/// <summary>
/// A handler whose constructor throws, served as <c>FailingApp.dll</c>: the master
/// only loads the assembly, so the failure shows in the workers, as a boot error the master must halt on.
/// </summary>
public sealed class FailingHandler : testapp.TestService.IAsync
{
    public FailingHandler() => throw new InvalidOperationException("the database this handler needs is unreachable");

    public Task<int> add(int a, int b, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<int> pid(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task sleep(int ms, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<string> echo(string? s, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task fire(int ms, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task say(string? text, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
