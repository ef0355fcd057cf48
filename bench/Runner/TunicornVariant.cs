namespace Tunicorn.Bench.Runner;

/// <summary>
/// Tunicorn async under trial (--variants): environment variables for its processes, and optionally another build
/// of the Calculator (say, one published with ReadyToRun) or of the tunicorn executable.
/// </summary>
public sealed record TunicornVariant(string Name, IReadOnlyDictionary<string, string> Env, string? CalculatorDll, string? Tunicorn = null);
