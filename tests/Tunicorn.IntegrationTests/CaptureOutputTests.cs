using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>capture_output: what handlers write to Console.Out and Console.Error lands in the error log file, as with gunicorn.</summary>
public sealed class CaptureOutputTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task CaptureOutput_HandlerStdoutAndStderr_GoToTheErrorLogFile_AndFollowItOnUsr1()
    {
        using var dir = new TestDirectory("capture");
        string errors = dir.File("error.log");
        int port = FreePort.Next();
        await using var server = TunicornServer.Start(
            [RepoPaths.TestAppDll, "-b", $"127.0.0.1:{port}", "-w", "1", "--error-logfile", errors, "--capture-output"], output);
        await WaitForTextAsync(errors, "Worker booted", server);

        using (var client = await ThriftClients.TestServiceAsync(port))
            await client.say("captured-before-rotation");
        await WaitForTextAsync(errors, "stdout: captured-before-rotation", server);
        await WaitForTextAsync(errors, "stderr: captured-before-rotation", server);
        Assert.DoesNotContain(server.Stdout.Snapshot(), line => line.Contains("captured-before", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Log.Snapshot(), line => line.Contains("captured-before", StringComparison.Ordinal));

        // Rotate: the worker's descriptors 1 and 2 must follow the error log to the new file.
        File.Move(errors, errors + ".1");
        Assert.True(server.Signal(UnixSignal.Usr1));
        await WaitForTextAsync(errors, "reopened its log files", server);
        using (var client = await ThriftClients.TestServiceAsync(port))
            await client.say("captured-after-rotation");
        await WaitForTextAsync(errors, "stdout: captured-after-rotation", server);
        await WaitForTextAsync(errors, "stderr: captured-after-rotation", server);
        Assert.DoesNotContain("after-rotation", File.ReadAllText(errors + ".1"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutCaptureOutput_HandlerStdoutAndStderr_StayOnTheMastersStreams()
    {
        using var dir = new TestDirectory("nocapture");
        string errors = dir.File("error.log");
        int port = FreePort.Next();
        await using var server = TunicornServer.Start(
            [RepoPaths.TestAppDll, "-b", $"127.0.0.1:{port}", "-w", "1", "--error-logfile", errors], output);
        await WaitForTextAsync(errors, "Worker booted", server);

        using (var client = await ThriftClients.TestServiceAsync(port))
            await client.say("not-captured");
        // Workers inherit the master's stdout and stderr: the lines show up there, so they had their chance to reach the file.
        await Eventually.WaitUntilAsync(() => server.Stdout.Snapshot().Contains("stdout: not-captured")
            && server.Log.Snapshot().Contains("stderr: not-captured"), Deadline, "the handler's lines on the master's stdout and stderr");

        Assert.DoesNotContain("not-captured", File.ReadAllText(errors), StringComparison.Ordinal);
    }

    private static Task WaitForTextAsync(string file, string text, TunicornServer server) =>
        Eventually.WaitUntilAsync(() => File.Exists(file) && File.ReadAllText(file).Contains(text, StringComparison.Ordinal),
            Deadline, $"'{text}' in {file}", () => File.Exists(file) ? File.ReadAllText(file) : server.Describe());
}
