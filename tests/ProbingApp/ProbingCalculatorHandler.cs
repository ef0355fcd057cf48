using shared;
using tutorial;
using Tunicorn.Examples.Calculator;

namespace Tunicorn.ProbingApp;

/// <summary>The Calculator service, served by the handler of Calculator.dll: loading this type needs that dependency.</summary>
public sealed class ProbingCalculatorHandler : tutorial.Calculator.IAsync
{
    private readonly CalculatorHandler _inner = new();

    public Task ping(CancellationToken cancellationToken = default) => _inner.ping(cancellationToken);

    public Task<int> add(int num1, int num2, CancellationToken cancellationToken = default) => _inner.add(num1, num2, cancellationToken);

    public Task<int> calculate(int logid, Work? w, CancellationToken cancellationToken = default) => _inner.calculate(logid, w, cancellationToken);

    public Task<SharedStruct> getStruct(int key, CancellationToken cancellationToken = default) => _inner.getStruct(key, cancellationToken);

    public Task zip(CancellationToken cancellationToken = default) => _inner.zip(cancellationToken);
}
