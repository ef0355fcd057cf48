namespace Tunicorn.IntegrationTests.Harness;

/// <summary>
/// Generates the Python code of the test IDLs once per test run (<c>thrift --gen py</c>, Debian's compiler) into a
/// temporary directory that the Python clients get on PYTHONPATH. Nothing generated lands in the source tree.
/// </summary>
internal static class PythonCodegen
{
    private static readonly Lazy<Task<string>> Generated = new(GenerateAsync);

    /// <summary>The directory holding the generated packages (tutorial, shared, testapp).</summary>
    public static Task<string> DirectoryAsync() => Generated.Value;

    private static async Task<string> GenerateAsync()
    {
        string dir = Path.Combine(Path.GetTempPath(), "tunicorn-it", $"gen-py-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        };

        string[] idls =
        [
            Path.Combine(RepoPaths.CalculatorIdlDir, "shared.thrift"),
            Path.Combine(RepoPaths.CalculatorIdlDir, "tutorial.thrift"),
            RepoPaths.TestAppIdl,
        ];
        foreach (string idl in idls)
        {
            await using var thrift = ManagedProcess.Start("thrift", ["--gen", "py", "-out", dir, idl]);
            int code = await thrift.WaitForExitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            if (code != 0)
                throw new InvalidOperationException($"thrift --gen py {idl} failed with {code}: {thrift.DescribeOutput()} (install it: scripts/install-deps.sh)");
        }
        return dir;
    }
}
