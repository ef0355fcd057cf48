using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// app_probe_paths: an app whose dependency is not beside it (ProbingApp.dll, whose handler needs Calculator.dll) is served
/// when a probe folder holds the dependency, and refused with the missing assembly named when none does.
/// </summary>
public sealed class AppProbePathTests(ITestOutputHelper output)
{
    private static string ProbingAppDll => Path.Combine(RepoPaths.Artifacts, "bin", "ProbingApp", "release", "ProbingApp.dll");

    [Fact]
    public async Task ADependencyOnlyInAProbeFolder_IsFound_AndTheAppServes()
    {
        using var dir = new TestDirectory("probe");
        string app = CopyAppAlone(dir);
        string empty = Directory.CreateDirectory(dir.File("empty")).FullName;
        string lib = Directory.CreateDirectory(dir.File("lib")).FullName;
        File.Copy(RepoPaths.CalculatorDll, Path.Combine(lib, "Calculator.dll"));

        int port = FreePort.Next();
        // Folders are searched in order; the first holds nothing, a relative one starts at the working directory.
        await using var server = await TunicornServer.StartAsync(app, port, workers: 1,
            ["--app-probe-path", empty, "--app-probe-path", "lib"], output, workingDirectory: dir.Path);

        CalculatorChecks.AssertPythonClientPassed(await PythonClient.RunAsync(PythonClient.CalculatorScript, PythonClient.Tcp(port)));
    }

    [Fact]
    public async Task WithoutTheProbeFolder_TheAppFailsToLoad_NamingTheMissingAssembly()
    {
        using var dir = new TestDirectory("probe-missing");
        string app = CopyAppAlone(dir);
        Directory.CreateDirectory(dir.File("lib"));
        File.Copy(RepoPaths.CalculatorDll, dir.File("lib/Calculator.dll"));

        await using var server = TunicornServer.Start([app, "-b", $"127.0.0.1:{FreePort.Next()}", "-w", "1"], output);

        Assert.NotEqual(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(server.Log.Snapshot(), line => line.Contains("Calculator", StringComparison.Ordinal) && line.Contains("App failed to load", StringComparison.Ordinal));
    }

    /// <summary>ProbingApp.dll in a folder of its own, without Calculator.dll beside it.</summary>
    private static string CopyAppAlone(TestDirectory dir)
    {
        string appDir = Directory.CreateDirectory(dir.File("app")).FullName;
        string app = Path.Combine(appDir, "ProbingApp.dll");
        File.Copy(ProbingAppDll, app);
        return app;
    }
}
