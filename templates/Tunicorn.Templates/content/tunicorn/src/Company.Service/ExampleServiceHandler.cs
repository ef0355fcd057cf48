using Company.Service.Thrift;

namespace Company.Service;

/// <summary>
/// Implements the generated ExampleService.IAsync. One instance serves every connection of a worker (the `async` worker
/// runs calls concurrently): keep shared state thread-safe.
/// </summary>
public sealed class ExampleServiceHandler : ExampleService.IAsync
{
    public Task ping(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<int> add(int a, int b, CancellationToken cancellationToken = default) => Task.FromResult(a + b);

    public Task<string> greet(string? name, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new InvalidName { Reason = "the name is empty" };
        return Task.FromResult($"Hello, {name}!");
    }
}
