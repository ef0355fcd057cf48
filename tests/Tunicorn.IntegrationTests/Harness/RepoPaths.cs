using System.Reflection;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>
/// Where the repository and the built artifacts are. The artifacts root is taken from this test assembly's own
/// location (artifacts/bin/Tunicorn.IntegrationTests/release/), so that a build with a custom ArtifactsPath tests
/// the CLI and apps of that same build rather than whatever sits in the checkout's artifacts/.
/// </summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);
    private static readonly Lazy<string> ArtifactsLazy = new(FindArtifacts);

    /// <summary>The directory holding Tunicorn.slnx.</summary>
    public static string Root => RootLazy.Value;

    /// <summary>The artifacts directory of the build these tests came from (holds bin/).</summary>
    public static string Artifacts => ArtifactsLazy.Value;

    /// <summary>The built CLI apphost; TUNICORN_CLI overrides it (e.g. to test an installed copy).</summary>
    public static string Cli =>
        Environment.GetEnvironmentVariable("TUNICORN_CLI") is { Length: > 0 } cli
            ? cli
            : Path.Combine(Artifacts, "bin", "Tunicorn.Cli", "release", "tunicorn");

    /// <summary>The CLI published with ReadyToRun, as the README installs it for production (scripts/test.sh publishes it).</summary>
    public static string PublishedCli => Path.Combine(Artifacts, "publish", "Tunicorn.Cli", "release_linux-x64", "tunicorn");

    public static string FailingAppDll => Path.Combine(Artifacts, "bin", "FailingApp", "release", "FailingApp.dll");

    public static string EmbeddedCalculator => Path.Combine(Artifacts, "bin", "Calculator.Embedded", "release", "Calculator.Embedded");

    /// <summary>The same program published with NativeAOT (scripts/test.sh publishes it before the tests).</summary>
    public static string NativeAotCalculator => Path.Combine(Artifacts, "publish", "Calculator.Embedded", "release_linux-x64", "Calculator.Embedded");

    public static string CalculatorDll => Path.Combine(Artifacts, "bin", "Calculator", "release", "Calculator.dll");

    public static string TestAppDll => Path.Combine(Artifacts, "bin", "TestApp", "release", "TestApp.dll");

    public static string PythonClients => Path.Combine(Root, "tests", "clients", "python");

    public static string CalculatorIdlDir => Path.Combine(Root, "examples", "Calculator", "idl");

    public static string TestAppIdl => Path.Combine(Root, "tests", "TestApp", "idl", "testapp.thrift");

    private static string FindRoot()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Tunicorn.slnx")))
                    return dir.FullName;
            }
        }

        string? built = typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "TunicornRepoRoot")?.Value;
        if (built is not null && File.Exists(Path.Combine(built, "Tunicorn.slnx")))
            return built;

        throw new InvalidOperationException(
            $"Tunicorn.slnx not found above {AppContext.BaseDirectory} or {Directory.GetCurrentDirectory()}, nor at the build-time root '{built}'.");
    }

    private static string FindArtifacts()
    {
        // BaseDirectory is <artifacts>/bin/Tunicorn.IntegrationTests/<config>/
        var dir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        if (dir.Parent?.Parent is { Name: "bin" } bin && bin.Parent is { } artifacts)
            return artifacts.FullName;
        return Path.Combine(Root, "artifacts");
    }
}
