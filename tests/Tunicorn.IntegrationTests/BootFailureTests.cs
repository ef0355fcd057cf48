using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// An app that cannot start stops the master with a reason and a non-zero exit, instead of a respawn loop. (A worker
/// that fails to boot on its own stops the master too: WorkerExitLogTests.)
/// </summary>
public sealed class BootFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task HandlerThatThrowsInItsConstructor_IsRefusedByTheMasterBeforeItListens_WithTheReason_AndExitCodeFour()
    {
        int port = FreePort.Next();
        await using var server = TunicornServer.Start(
            [RepoPaths.FailingAppDll, "-b", $"127.0.0.1:{port}", "-w", "2"], output);

        int code = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(4, code);
        // The master creates the handler once before it binds: the start stops there, instead of in every worker.
        Assert.Contains(server.Log.Snapshot(), line => line.Contains("App failed to load", StringComparison.Ordinal)
            && line.Contains("the database this handler needs is unreachable", StringComparison.Ordinal));
        Assert.Empty(server.Log.Matches(LogPatterns.ListeningAt));
        Assert.Empty(server.Log.Matches(LogPatterns.BootingWorker));
    }

    [Fact]
    public async Task AppThatIsNoAssembly_IsRefusedByTheMasterBeforeAnyWorkerStarts()
    {
        using var dir = new TestDirectory("not-an-app");
        string bogus = dir.File("Bogus.dll");
        await File.WriteAllTextAsync(bogus, "this is not a .NET assembly");
        await using var server = TunicornServer.Start([bogus, "-b", $"127.0.0.1:{FreePort.Next()}"], output);

        int code = await server.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(4, code);
        await Eventually.WaitUntilAsync(
            () => server.Log.Snapshot().Any(line => line.Contains("App failed to load", StringComparison.Ordinal) && line.Contains("Bogus.dll", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(5), "an error naming the app", server.Describe);
        Assert.Empty(server.Log.Matches(LogPatterns.BootingWorker));
    }
}
