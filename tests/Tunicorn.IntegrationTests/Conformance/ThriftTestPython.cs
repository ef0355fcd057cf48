using System.Globalization;
using Tunicorn.IntegrationTests.Harness;

namespace Tunicorn.IntegrationTests.Conformance;

/// <summary>
/// Runs the ThriftTest Python clients (tests/clients/python/thrifttest_*.py, tests/fuzz/) with Debian's
/// /usr/bin/python3 and python3-thrift, and the code Debian's <c>thrift --gen py</c> generates from
/// examples/ThriftTest/idl/ThriftTest.thrift once per test run, outside the source tree.
/// </summary>
internal static class ThriftTestPython
{
    private static readonly Lazy<Task<string>> Generated = new(GenerateAsync);

    public static string ThriftTestIdl => Path.Combine(RepoPaths.Root, "examples", "ThriftTest", "idl", "ThriftTest.thrift");

    public static string ThriftTestDll => Path.Combine(RepoPaths.Artifacts, "bin", "ThriftTest", "release", "ThriftTest.dll");

    /// <summary>APP naming the ThriftTest handler (the assembly also holds SecondService's).</summary>
    public static string ThriftTestApp => ThriftTestDll + ":Tunicorn.Examples.ThriftTest.ThriftTestHandler";

    public static string FuzzDirectory => Path.Combine(RepoPaths.Root, "tests", "fuzz");

    public static string[] Endpoint(int port) => ["--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture)];

    /// <summary>Runs <paramref name="script"/> (a path under the repository root) to its end.</summary>
    public static async Task<PythonResult> RunAsync(string script, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        string generated = await Generated.Value.ConfigureAwait(false);
        var environment = new Dictionary<string, string?>
        {
            ["PYTHONPATH"] = $"{generated}:{RepoPaths.PythonClients}",
            ["PYTHONDONTWRITEBYTECODE"] = "1",
            ["PYTHONUNBUFFERED"] = "1",
        };
        string path = Path.Combine(RepoPaths.Root, script);
        await using var process = ManagedProcess.Start(PythonClient.Interpreter, [path, .. arguments], environment, Path.GetDirectoryName(path));
        var running = new RunningPython(process);
        return await running.CompleteAsync(timeout ?? PythonClient.DefaultTimeout).ConfigureAwait(false);
    }

    /// <summary>Runs tests/clients/python/thrifttest_client.py.</summary>
    public static Task<PythonResult> ClientAsync(IEnumerable<string> arguments, TimeSpan? timeout = null) =>
        RunAsync(Path.Combine("tests", "clients", "python", ThriftTestChecks.PythonScript), arguments, timeout);

    private static async Task<string> GenerateAsync()
    {
        string dir = Path.Combine(Path.GetTempPath(), "tunicorn-it", $"gen-py-thrifttest-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
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
        await using var thrift = ManagedProcess.Start("thrift", ["--gen", "py", "-out", dir, ThriftTestIdl]);
        int code = await thrift.WaitForExitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        if (code != 0)
            throw new InvalidOperationException($"thrift --gen py {ThriftTestIdl} failed with {code}: {thrift.DescribeOutput()} (install it: scripts/install-deps.sh)");
        return dir;
    }
}
