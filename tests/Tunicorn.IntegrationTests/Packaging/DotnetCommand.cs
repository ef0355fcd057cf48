using Tunicorn.IntegrationTests.Harness;

namespace Tunicorn.IntegrationTests.Packaging;

/// <summary>
/// Runs the dotnet CLI (or a script that does) as a user would, in a folder outside the repository, with a package
/// cache of its own so that the packages under test are never taken from (or left in) the machine's cache.
/// </summary>
internal static class DotnetCommand
{
    /// <summary>The SDK steps of a cold build can take minutes on two busy cores.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);

    /// <summary>
    /// The machine's package cache, read as a fallback folder: every package but ours is there already (the suite's
    /// own restore put them there), so the test downloads nothing it need not.
    /// </summary>
    public static string MachinePackages =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Variables the test host sets for itself that would steer a nested dotnet to the wrong MSBuild or SDK.</summary>
    private static readonly string[] HostVariables =
    [
        "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly",
        "DOTNET_HOST_PATH", "VSTEST_HOST_DEBUG", "ARTIFACTS_PATH",
    ];

    /// <summary>Runs the command to its end and returns its output; a non-zero exit fails with the output's tail.</summary>
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var (code, output, description) = await RunToEndAsync(fileName, arguments, workingDirectory, environment, timeout).ConfigureAwait(false);
        if (code != 0)
            throw new InvalidOperationException($"{description} in {workingDirectory} failed with {code}:\n{Tail(output)}");
        return output;
    }

    /// <summary>Runs the command to its end: its exit code and its stdout and stderr.</summary>
    public static async Task<(int Code, string Output, string Description)> RunToEndAsync(string fileName, IEnumerable<string> arguments,
        string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var env = new Dictionary<string, string?>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["DOTNET_CLI_UI_LANGUAGE"] = "en",
        };
        foreach (string name in HostVariables)
            env[name] = null;
        if (environment is not null)
        {
            foreach (var (name, value) in environment)
                env[name] = value;
        }

        await using var process = ManagedProcess.Start(fileName, arguments, env, workingDirectory);
        int code = await process.WaitForExitAsync(timeout ?? Timeout).ConfigureAwait(false);
        string output = string.Join('\n', process.Stdout.Snapshot()) + "\n" + string.Join('\n', process.Stderr.Snapshot());
        return (code, output, process.Description);
    }

    private static string Tail(string output)
    {
        // Enough to see the build's errors without flooding the test log.
        const int keep = 12_000;
        return output.Length <= keep ? output : "...\n" + output[^keep..];
    }
}
