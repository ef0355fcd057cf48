namespace Tunicorn.Bench.Service;

/// <summary>
/// The bench service: <c>add</c> and <c>echo</c> do no work of their own, so a measurement shows what the
/// server costs per call and per byte. Stateless, hence one instance serves every connection.
/// </summary>
public sealed class BenchServiceHandler : bench.BenchService.IAsync
{
    public Task<int> add(int a, int b, CancellationToken cancellationToken = default) =>
        Task.FromResult(a + b);

    public Task<byte[]> echo(byte[]? data, CancellationToken cancellationToken = default) =>
        Task.FromResult(data ?? []);
}
