using System.Collections.Concurrent;
using shared;
using tutorial;

namespace Tunicorn.Examples.Calculator;

/// <summary>
/// The Apache Thrift tutorial's Calculator: <c>calculate</c> logs each result under its log id so that
/// <c>getStruct</c> can return it, and raises <see cref="InvalidOperation"/> on division by zero or an unknown op.
/// </summary>
public sealed class CalculatorHandler : tutorial.Calculator.IAsync
{
    // Shared by every connection of the worker, like the tutorial's server-wide log.
    private static readonly ConcurrentDictionary<int, SharedStruct> Log = new();

    public Task ping(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<int> add(int num1, int num2, CancellationToken cancellationToken = default) =>
        Task.FromResult(num1 + num2);

    public Task<int> calculate(int logid, Work? w, CancellationToken cancellationToken = default)
    {
        if (w is null)
            throw new InvalidOperation { WhatOp = 0, Why = "No work given" };

        int value = w.Op switch
        {
            Operation.ADD => w.Num1 + w.Num2,
            Operation.SUBTRACT => w.Num1 - w.Num2,
            Operation.MULTIPLY => w.Num1 * w.Num2,
            Operation.DIVIDE when w.Num2 == 0 => throw new InvalidOperation { WhatOp = (int)w.Op, Why = "Cannot divide by 0" },
            Operation.DIVIDE => w.Num1 / w.Num2,
            _ => throw new InvalidOperation { WhatOp = (int)w.Op, Why = "Invalid operation" },
        };

        Log[logid] = new SharedStruct { Key = logid, Value = value.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        return Task.FromResult(value);
    }

    public Task<SharedStruct> getStruct(int key, CancellationToken cancellationToken = default) =>
        Task.FromResult(Log.TryGetValue(key, out var entry) ? entry : new SharedStruct());

    public Task zip(CancellationToken cancellationToken = default) => Task.CompletedTask;
}
