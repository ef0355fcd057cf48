using System.Text;
using Thrift;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// A log line is one line, whatever text it carries: a handler's exception message with a newline and an escape
/// sequence cannot forge a line of its own nor reach the operator's terminal raw.
/// </summary>
public sealed class LogLineEscapingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task HandlerExceptionWithNewlineAndEscape_IsLoggedAsOneEscapedLine()
    {
        using var dir = new TestDirectory("escape");
        string errors = dir.File("error.log");
        int port = FreePort.Next();
        await using var server = TunicornServer.Start(
            [RepoPaths.TestAppDll, "-b", $"127.0.0.1:{port}", "-w", "1", "--error-logfile", errors], output);
        await LogFile.WaitForBootedWorkersAsync(errors, 1, server);

        const string forged = "[2026-12-07 04:00:00 +0000] [1] [CRITICAL] Shutting down: Master";
        using (var client = await ThriftClients.TestServiceAsync(port))
            await Assert.ThrowsAsync<TApplicationException>(() => client.fail("db down\n" + forged + "\u001b[2J\r\u2028x"));

        await Eventually.WaitUntilAsync(() => LogFile.Lines(errors).Any(l => l.Contains("db down", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the handler's exception in the error log");
        // One read: the file as it is at one moment (other lines may follow meanwhile).
        byte[] bytes = File.ReadAllBytes(errors);
        Assert.DoesNotContain((byte)0x1b, bytes);
        Assert.DoesNotContain((byte)'\r', bytes);
        string text = Encoding.UTF8.GetString(bytes);
        string[] lines = text[..text.LastIndexOf('\n')].Split('\n');
        Assert.All(lines, l => Assert.Matches(LogFile.WellFormedErrorLine, l));
        Assert.DoesNotContain(lines, l => l.StartsWith(forged[..20], StringComparison.Ordinal));
        string logged = Assert.Single(lines, l => l.Contains("db down", StringComparison.Ordinal));
        Assert.Contains("[ERROR] ", logged, StringComparison.Ordinal);
        Assert.Contains(@"db down\x0a" + forged + @"\x1b[2J\x0d\u2028x", logged, StringComparison.Ordinal);
    }
}
