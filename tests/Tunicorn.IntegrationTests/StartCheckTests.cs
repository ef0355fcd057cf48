using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Settings that parse but cannot be served (issue 10.5): --check-config refuses them with one line naming the cause,
/// and a normal start stops before it listens, instead of every worker failing after "Listening at".
/// </summary>
public sealed class StartCheckTests(ITestOutputHelper output)
{
    public static TheoryData<string, int, int, string> Cases => new()
    {
        // case, exit code of --check-config, exit code of a start, text the one line must hold
        { "unknown user", 2, 2, "user: 'nosuchuser' is not a user on this system" },
        // A missing file is an invalid path setting (2); a file that is no certificate is found only by reading it (1).
        { "missing certificate", 2, 2, "certfile: '/nonexistent.pem' does not exist" },
        { "file that is no certificate", 1, 1, "certfile " + NotACertificate.Value + ": The certificate contents do not contain a PEM" },
        { "unknown registry class", 1, 1, "service_register_cls: type 'foo' not found" },
        { "handler that cannot be created", 1, 4, "the database this handler needs is unreachable" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task CheckConfig_FailsWithOneLineNamingTheCause(string @case, int checkExitCode, int startExitCode, string cause)
    {
        _ = startExitCode;
        await using var server = TunicornServer.Start([.. Arguments(@case), "--check-config"], output);

        Assert.Equal(checkExitCode, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var lines = server.Log.Snapshot().Where(l => l.Length > 0).ToArray();
        Assert.Single(lines);
        Assert.StartsWith("tunicorn: error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(cause, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain(server.Stdout.Snapshot(), line => line.Contains("configuration OK", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Start_FailsBeforeListening_NamingTheCause(string @case, int checkExitCode, int startExitCode, string cause)
    {
        _ = checkExitCode;
        await using var server = TunicornServer.Start([.. Arguments(@case), "-b", $"127.0.0.1:{FreePort.Next()}", "-w", "2"], output);

        Assert.Equal(startExitCode, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(server.Log.Snapshot(), line => line.Contains(cause, StringComparison.Ordinal));
        Assert.Empty(server.Log.Matches(LogPatterns.ListeningAt));
        Assert.Empty(server.Log.Matches(LogPatterns.BootingWorker));
    }

    [Fact]
    public async Task CheckConfig_OfAServableConfiguration_SaysOk()
    {
        await using var server = TunicornServer.Start([RepoPaths.TestAppDll, "-u", "nobody", "-g", "nogroup", "--service-register-cls", "none", "--check-config"], output);

        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(server.Stdout.Snapshot(), line => line.StartsWith("tunicorn: configuration OK", StringComparison.Ordinal));
    }

    /// <summary>A PEM file with text in it but no certificate, shared by the cases of this class.</summary>
    private static readonly Lazy<string> NotACertificate = new(() =>
    {
        string path = Path.Combine(Path.GetTempPath(), $"tunicorn-not-a-certificate-{Environment.ProcessId}.pem");
        File.WriteAllText(path, "not a certificate\n");
        return path;
    });

    private static string[] Arguments(string @case) => @case switch
    {
        "unknown user" => [RepoPaths.TestAppDll, "-u", "nosuchuser"],
        "missing certificate" => [RepoPaths.TestAppDll, "--certfile", "/nonexistent.pem"],
        "file that is no certificate" => [RepoPaths.TestAppDll, "--certfile", NotACertificate.Value],
        "unknown registry class" => [RepoPaths.TestAppDll, "--service-register-cls", "foo"],
        "handler that cannot be created" => [RepoPaths.FailingAppDll],
        _ => throw new ArgumentOutOfRangeException(nameof(@case), @case, "no such case"),
    };
}
