using Microsoft.Extensions.Logging;
using Tunicorn.Logging;
using Tunicorn.Tests.Config;

namespace Tunicorn.Tests.Logging;

public sealed class LogSinkTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("a\\b", "a\\b")]
    [InlineData("evil\n[2026-12-07 04:00:00 +0000] [1] [CRITICAL] forged", @"evil\x0a[2026-12-07 04:00:00 +0000] [1] [CRITICAL] forged")]
    [InlineData("\u001b[31mred\r\t\u007f\u0085", @"\x1b[31mred\x0d\x09\x7f\x85")]
    [InlineData("line\u2028sep\u2029", @"line\u2028sep\u2029")]
    [InlineData("Ωμέγα", "Ωμέγα")]
    public void SingleLine_EscapesEveryControlCharacter_AndKeepsTheRest(string text, string expected) =>
        Assert.Equal(expected, LogLineText.SingleLine(text));

    [Fact]
    public void WriteLine_OfAnExceptionWithNewlines_IsOneLineInTheFile()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "error.log");
        using (var sink = new LogSink(path))
        {
            var provider = new ServerLoggerProvider(sink, LogLevel.Information);
            var logger = provider.CreateLogger("test");
            Exception thrown;
            try
            {
                throw new InvalidOperationException("boom\n[2026-12-07 04:00:00 +0000] [1] [CRITICAL] forged\u001b[2J");
            }
            catch (InvalidOperationException e)
            {
                thrown = e;
            }
            logger.LogError(thrown, "handler {Method} failed: {Reason}", "add", "x\ny");
        }
        string text = File.ReadAllText(path);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.Equal(1, text.Count(c => c == '\n'));
        Assert.DoesNotContain('\u001b', text);
        Assert.Contains(@"[ERROR] handler add failed: x\x0ay | System.InvalidOperationException: boom\x0a[2026-12-07", text, StringComparison.Ordinal);
        Assert.Contains(@"\x1b[2J\x0a   at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void File_IsOpenedForAppending_AndReopenedAfterRotation()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "access.log");
        using var sink = new LogSink(path, StandardStream.Output);
        int fd = OpenDescriptorOf(path);
        int flags = Convert.ToInt32(File.ReadLines($"/proc/self/fdinfo/{fd}").First(l => l.StartsWith("flags:", StringComparison.Ordinal))[6..].Trim(), 8);
        Assert.True((flags & 0x400) != 0, $"flags {Convert.ToString(flags, 8)} lack O_APPEND");

        sink.WriteLine("one");
        File.Move(path, path + ".1");
        sink.Reopen();
        sink.WriteLine("two");
        Assert.Equal("one\n", File.ReadAllText(path + ".1"));
        Assert.Equal("two\n", File.ReadAllText(path));
    }

    [Fact]
    public void Reopen_WhenTheNewFileCannotBeOpened_Throws_AndKeepsWritingToTheOldOne()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "access.log");
        using var sink = new LogSink(path);
        File.Move(path, path + ".1");
        Directory.CreateDirectory(path); // a directory where the new file should be
        var refused = Record.Exception(sink.Reopen);
        Assert.True(refused is IOException or UnauthorizedAccessException, $"unexpected: {refused}");
        sink.WriteLine("still here");
        Assert.Equal("still here\n", File.ReadAllText(path + ".1"));
    }

    [Fact]
    public void IsRegularFile_TellsALogFileFromDevNull()
    {
        using var dir = new TempDirectory();
        using (var file = Tunicorn.Interop.AppendOnlyFile.Open(Path.Combine(dir.Path, "a.log")))
            Assert.True(Tunicorn.Interop.AppendOnlyFile.IsRegularFile(file));
        using (var devNull = Tunicorn.Interop.AppendOnlyFile.Open("/dev/null"))
            Assert.False(Tunicorn.Interop.AppendOnlyFile.IsRegularFile(devNull));
    }

    private static int OpenDescriptorOf(string path) =>
        Directory.EnumerateFiles("/proc/self/fd")
            .Where(link => { try { return new FileInfo(link).LinkTarget == path; } catch (IOException) { return false; } })
            .Select(link => int.Parse(Path.GetFileName(link), System.Globalization.CultureInfo.InvariantCulture))
            .First();
}
