using System.Reflection.PortableExecutable;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// The production install of the README: src/Tunicorn.Cli published for linux-x64 with ReadyToRun. Its libraries carry
/// precompiled code, and it serves as master and workers like the built CLI.
/// </summary>
public sealed class PublishedCliTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ReadyToRunPublish_PrecompilesTheLibraries_AndServesTheCalculatorFromMasterAndWorkers()
    {
        string cli = RepoPaths.PublishedCli;
        Assert.True(File.Exists(cli),
            $"{cli} is missing: scripts/test.sh publishes it (dotnet publish src/Tunicorn.Cli -c Release -r linux-x64 --self-contained false)");
        string directory = Path.GetDirectoryName(cli)!;
        foreach (string library in new[] { "Tunicorn.dll", "Thrift.dll", "Tunicorn.Cli.dll" })
            Assert.True(IsReadyToRun(Path.Combine(directory, library)), $"{library} in {directory} has no ReadyToRun code");

        int port = FreePort.Next();
        await using var server = TunicornServer.StartExecutable(cli, [RepoPaths.CalculatorDll, "-b", $"127.0.0.1:{port}", "-w", "2"], output);
        var workers = await server.WaitForReadyAsync(2);

        CalculatorChecks.AssertPythonClientPassed(await PythonClient.RunAsync(PythonClient.CalculatorScript, PythonClient.Tcp(port)));
        using (var client = await ThriftClients.CalculatorAsync(port))
            await CalculatorChecks.RunAsync(client);

        // The workers run the published executable and its precompiled Tunicorn.dll, not the build's.
        string publishedTunicorn = Path.Combine(directory, "Tunicorn.dll");
        foreach (int pid in workers)
        {
            Assert.Equal(Path.GetFullPath(cli), new FileInfo($"/proc/{pid}/exe").LinkTarget);
            Assert.Contains(publishedTunicorn, File.ReadAllText($"/proc/{pid}/maps"), StringComparison.Ordinal);
        }

        Assert.True(server.Signal(UnixSignal.Term));
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    /// <summary>A ReadyToRun image carries a managed native header (the R2R header) in its CLI header.</summary>
    private static bool IsReadyToRun(string path)
    {
        using var reader = new PEReader(File.OpenRead(path));
        return reader.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }
}
