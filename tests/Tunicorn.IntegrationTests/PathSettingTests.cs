using System.Globalization;
using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Every path-valued setting given a path that cannot work: the CLI must exit with the documented status (2 for a
/// setting that cannot work, checked before anything starts; 1 for what the system refuses at run time), with
/// exactly one error line that names the setting, no stack trace and no core dump.
/// </summary>
public sealed partial class PathSettingTests(ITestOutputHelper output)
{
    /// <summary>
    /// Arguments after APP, split on spaces. {dir} is an existing directory, {file} an existing regular file,
    /// {port} a free port.
    /// </summary>
    [Theory]
    [InlineData("--chdir /nonexistent/tunicorn", 2, "chdir", "does not exist")]
    [InlineData("--chdir {file}", 2, "chdir", "is not a directory")]
    [InlineData("--error-logfile {dir}", 2, "errorlog", "is a directory")]
    [InlineData("--error-logfile {file}/x.log", 2, "errorlog", "not a directory")]
    [InlineData("--error-logfile /proc/1/nope/x.log", 1, "errorlog", "/proc/1/nope")]
    [InlineData("--access-logfile {dir}", 2, "accesslog", "is a directory")]
    [InlineData("--access-logfile /proc/1/nope/x.log", 1, "accesslog", "/proc/1/nope")]
    [InlineData("-p {dir}", 2, "pidfile", "is a directory")]
    [InlineData("-p /nonexistent/tunicorn/x.pid", 2, "pidfile", "/nonexistent/tunicorn, which does not exist")]
    [InlineData("-p /proc/1/x.pid", 1, "pidfile", "/proc/1/x.pid")]
    [InlineData("--certfile /nonexistent/cert.pem", 2, "certfile", "does not exist")]
    [InlineData("--certfile {dir}", 2, "certfile", "is a directory")]
    [InlineData("--certfile {file} --keyfile /nonexistent/key.pem", 2, "keyfile", "does not exist")]
    [InlineData("--certfile {file} --keyfile {dir}", 2, "keyfile", "is a directory")]
    [InlineData("--certfile {file} --ca-certs /nonexistent/ca.pem", 2, "ca_certs", "does not exist")]
    [InlineData("--certfile {file} --ca-certs {dir}", 2, "ca_certs", "is a directory")]
    [InlineData("-b unix:/nonexistent/dir/s.sock", 2, "bind", "the directory /nonexistent/dir, which does not exist")]
    [InlineData("-b unix:{dir}", 2, "bind", "is a directory")]
    [InlineData("-b 999.1.1.1:{port}", 2, "bind", "'999.1.1.1:")]
    [InlineData("-b nosuchhost.invalid:{port}", 1, "bind", "'nosuchhost.invalid' does not resolve")]
    [InlineData("-c {dir}", 2, "config", "is a directory")]
    [InlineData("-c /nonexistent/tunicorn.toml", 2, "config", "does not exist")]
    public async Task BadPath_ExitsWithOneErrorLineNamingTheSetting_NoStackTraceNoCoreDump(string arguments, int exitCode, string setting, string reason)
    {
        using var dir = new TestDirectory("paths");
        string existingDir = Directory.CreateDirectory(dir.File("a-dir")).FullName;
        string existingFile = dir.File("a-file");
        File.WriteAllText(existingFile, "not a certificate\n");
        string port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var args = arguments.Split(' ').Select(a => a.Replace("{dir}", existingDir).Replace("{file}", existingFile).Replace("{port}", port));
        string[] defaults = arguments.Contains("-b ", StringComparison.Ordinal) ? ["-w", "1"] : ["-w", "1", "-b", $"127.0.0.1:{port}"];

        // The working directory is the test's own, so a core dump would show up there.
        await using var server = TunicornServer.Start([RepoPaths.CalculatorDll, .. defaults, .. args], output, workingDirectory: dir.Path);

        int code = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var lines = server.Log.Snapshot();
        Assert.Equal(exitCode, code);
        var errors = lines.Where(IsErrorLine).ToArray();
        var error = Assert.Single(errors);
        Assert.Contains(setting + ":", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.StartsWith("   at ", StringComparison.Ordinal) || l.Contains("Unhandled exception", StringComparison.Ordinal));
        Assert.Empty(server.Log.Matches(LogPatterns.ListeningAt));
        Assert.Empty(Directory.GetFiles(dir.Path, "core*"));
    }

    /// <summary>Relative paths are taken from chdir, since the master changes directory before it opens any file.</summary>
    [Fact]
    public async Task RelativePaths_AreCheckedFromChdir()
    {
        using var dir = new TestDirectory("paths");
        Directory.CreateDirectory(dir.File("run"));
        int port = FreePort.Next();
        await using var server = TunicornServer.Start(
            [RepoPaths.CalculatorDll, "-w", "1", "-b", $"127.0.0.1:{port}", "--chdir", dir.Path, "-p", "run/t.pid"], output);
        await server.WaitForReadyAsync(1);
        Assert.Equal(server.MasterPid.ToString(CultureInfo.InvariantCulture), File.ReadAllText(dir.File("run/t.pid")).Trim());
    }

    /// <summary>
    /// A reload reads the command line again as it was meant at start: a relative chdir is taken from the directory
    /// tunicorn was started in, not from the one it changed to (else the path checks would refuse every reload).
    /// </summary>
    [Fact]
    public async Task Hup_WithARelativeChdir_Reloads()
    {
        using var dir = new TestDirectory("paths");
        Directory.CreateDirectory(dir.File("app/run"));
        int port = FreePort.Next();
        await using var server = TunicornServer.Start(
            [RepoPaths.CalculatorDll, "-w", "1", "-b", $"127.0.0.1:{port}", "--chdir", "app", "-p", "run/t.pid"], output,
            workingDirectory: dir.Path);
        await server.WaitForReadyAsync(1);

        int mark = server.LogMark;
        Assert.True(server.Signal(UnixSignal.Hup));

        await server.WaitForLogAsync(ReloadOutcome(), TimeSpan.FromSeconds(30), mark);
        Assert.Empty(server.Log.Matches(ReloadFailed(), mark));
    }

    [GeneratedRegex("Reload complete|Reload failed")]
    private static partial Regex ReloadOutcome();

    [GeneratedRegex("Reload failed")]
    private static partial Regex ReloadFailed();

    /// <summary>The one line an operator reads: the CLI's own "tunicorn: error:" or a log line at ERROR or above.</summary>
    private static bool IsErrorLine(string line) =>
        line.StartsWith("tunicorn: error:", StringComparison.Ordinal) || ErrorLevel().IsMatch(line);

    [GeneratedRegex(@"^\[[^\]]+\] \[\d+\] \[(ERROR|CRITICAL)\]")]
    private static partial Regex ErrorLevel();
}
