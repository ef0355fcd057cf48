using Tunicorn.Config;

namespace Tunicorn.Tests.Config;

public sealed class CommandLineSplitterTests
{
    [Theory]
    [InlineData("", new string[0])]
    [InlineData("  -w   2 ", new[] { "-w", "2" })]
    [InlineData("-n 'a b' -e \"X=1 2\"", new[] { "-n", "a b", "-e", "X=1 2" })]
    [InlineData("'it''s'", new[] { "its" })]
    [InlineData("\"say \\\"hi\\\"\"", new[] { "say \"hi\"" })]
    [InlineData("'back\\slash'", new[] { "back\\slash" })]
    [InlineData("a\\ b", new[] { "a b" })]
    [InlineData("''", new[] { "" })]
    [InlineData("--bind=[::1]:1", new[] { "--bind=[::1]:1" })]
    public void Split_FollowsPosixShellQuoting(string text, string[] expected) => Assert.Equal(expected, CommandLineSplitter.Split(text));

    [Theory]
    [InlineData("'open")]
    [InlineData("\"open")]
    [InlineData("trailing\\")]
    public void Split_UnclosedQuoteOrTrailingBackslash_Throws(string text) => Assert.Throws<FormatException>(() => CommandLineSplitter.Split(text));
}
