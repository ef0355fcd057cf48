namespace Tunicorn.Bench.Runner;

/// <summary>The executables and apps a run uses; bench/run.sh builds them and passes their paths.</summary>
public sealed record BenchPaths(
    string Tunicorn,
    string CalculatorDll,
    string BenchServiceDll,
    string PeerCSharp,
    string PeerCpp,
    string LoadGen,
    string TunicornAot,
    string Floor);
