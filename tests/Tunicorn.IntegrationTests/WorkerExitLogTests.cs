using Tunicorn.IntegrationTests.Harness;
using Tunicorn.TestApp;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// What the master says when a worker ends: who ended it and why, in words an operator can act on (issue 10.8, 11.12).
/// Each test asserts the exact line, and that the misleading line it replaces is absent.
/// </summary>
public sealed class WorkerExitLogTests(ITestOutputHelper output)
{
    [Fact]
    public async Task WorkerKilledByTheMasterAfterGracefulTimeout_IsSaidSo_NotPerhapsOutOfMemory()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1, ["--graceful-timeout", "1"], output);
        int worker = server.WorkerPids().Single();
        // A stopped process cannot act on TERM: the master has to kill it when graceful_timeout passes.
        Assert.True(Posix.Kill(worker, UnixSignal.Stop));

        Assert.True(server.Signal(UnixSignal.Term));
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var log = server.Log.Snapshot();
        Assert.Contains(log, line => line.EndsWith($"Worker (pid: {worker}) was killed by the master (SIGKILL): graceful_timeout (1s) passed before it stopped", StringComparison.Ordinal));
        Assert.DoesNotContain(log, line => line.Contains("Perhaps out of memory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnvironmentExitZeroInACall_IsLoggedAsAnExitNobodyAskedFor_AndTheWorkerIsReplaced()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1, output: output);
        int worker = server.WorkerPids().Single();

        await CallExitAsync(port, 0);

        await server.WaitForLogAsync(Line($"Worker (pid: {worker}) exited with code 0 without being asked to stop"), TimeSpan.FromSeconds(20));
        await server.WaitForWorkerCountAsync(1, TunicornServer.BootTimeout, pids => !pids.Contains(worker), "a replacement");
        Assert.DoesNotContain(server.Log.Snapshot(), line => line.EndsWith($"Worker exited (pid: {worker})", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnvironmentExitThreeInABootedWorker_IsNotCalledABootFailure_AndTheMasterServesOn()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1, output: output);
        int worker = server.WorkerPids().Single();

        await CallExitAsync(port, 3);

        await server.WaitForLogAsync(Line($"Worker (pid: {worker}) exited with code 3 after it had booted"), TimeSpan.FromSeconds(20));
        await server.WaitForWorkerCountAsync(1, TunicornServer.BootTimeout, pids => !pids.Contains(worker), "a replacement");
        Assert.False(server.HasExited, server.Describe());
        Assert.DoesNotContain(server.Log.Snapshot(), line => line.Contains("failed to boot", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WorkerThatExitsWithTheBootErrorCodeBeforeItBooted_StopsTheMaster_WithOneReason()
    {
        int port = FreePort.Next();
        await using var server = TunicornServer.Start([RepoPaths.TestAppDll, "-b", $"127.0.0.1:{port}", "-w", "1"], output,
            new Dictionary<string, string?> { [RecordingHooks.ExitInPostForkVariable] = "3" });

        Assert.Equal(3, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var log = server.Log.Snapshot();
        int worker = server.BootingPids().First();
        Assert.Contains(log, line => line.EndsWith($"Worker (pid:{worker}) failed to boot: it exited with code 3 before it booted, without a reason", StringComparison.Ordinal));
        Assert.Contains(log, line => line.EndsWith($"Shutting down: Master. Reason: Worker (pid: {worker}) failed to boot: it exited with code 3 before it booted, without a reason", StringComparison.Ordinal));
        Assert.DoesNotContain(log, line => line.Contains("Worker failed to boot", StringComparison.Ordinal));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task WorkerThatCannotReadTheCertificateAfterTheUserSwitch_FailsToBoot_WithoutADoubledPrefix()
    {
        // The master (root) can read the key; the worker, once it runs as nobody, cannot: a boot error inside the worker.
        using var certificates = Conformance.TestCertificates.Create();
        File.SetUnixFileMode(certificates.ServerKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        int port = FreePort.Next();
        await using var server = TunicornServer.Start([RepoPaths.TestAppDll, "-b", $"127.0.0.1:{port}", "-w", "1", "-u", "nobody",
            "--certfile", certificates.ServerCert, "--keyfile", certificates.ServerKey], output);

        Assert.Equal(3, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var log = server.Log.Snapshot();
        int worker = server.BootingPids().First();
        Assert.Contains(log, line => line.Contains($"Worker (pid: {worker}) failed to boot: certfile {certificates.ServerCert}", StringComparison.Ordinal));
        Assert.Contains(log, line => line.Contains($"Shutting down: Master. Reason: Worker (pid: {worker}) failed to boot: certfile {certificates.ServerCert}", StringComparison.Ordinal));
        Assert.DoesNotContain(log, line => line.Contains("failed to boot: Worker failed to boot", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReloadWithAnInvalidSetting_SaysWhichSetting_WithoutTheCommandLinePrefix()
    {
        using var dir = new TestDirectory("reload-bad-setting");
        string config = dir.File("tunicorn.toml");
        await File.WriteAllTextAsync(config, "workers = 1\n");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1, ["-c", config], output);

        await File.WriteAllTextAsync(config, "workers = \"many\"\n");
        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Hup));

        var failed = await server.WaitForLogAsync(Line("Reload failed, the 1 current workers keep serving: settings: workers: "), TimeSpan.FromSeconds(20), mark);
        Assert.DoesNotContain("tunicorn: error:", failed.Value + server.Log.Snapshot(mark).First(l => l.Contains("Reload failed", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.False(server.HasExited);
    }

    private static async Task CallExitAsync(int port, int code)
    {
        using var client = await ThriftClients.TestServiceAsync(port);
        // The process ends inside the call: the client sees its connection close instead of a reply.
        await Assert.ThrowsAnyAsync<Exception>(() => client.exit_process(code));
    }

    private static System.Text.RegularExpressions.Regex Line(string text) => new(System.Text.RegularExpressions.Regex.Escape(text));
}
