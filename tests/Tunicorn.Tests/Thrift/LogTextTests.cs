using Tunicorn.Thrift;

namespace Tunicorn.Tests.Thrift;

public sealed class LogTextTests
{
    [Theory]
    [InlineData("testString", "testString")]
    [InlineData("ThriftTest:testVoid", "ThriftTest:testVoid")]
    [InlineData("Ωμέγα", "Ωμέγα")]
    [InlineData("evil\n[ERROR] forged", @"evil\x0a[ERROR] forged")]
    [InlineData("a\\b\u001b[31m", @"a\\b\x1b[31m")]
    public void Printable_EscapesWhatCouldForgeOrGarbleALogLine(string text, string expected) =>
        Assert.Equal(expected, LogText.Printable(text));

    [Fact]
    public void Printable_LongText_IsCutWithItsLength()
    {
        string printable = LogText.Printable(new string('m', 5000));
        Assert.Equal(new string('m', LogText.MaxLength) + "… (5000 characters)", printable);
    }

    [Fact]
    public void Printable_WithABound_CutsAHostileNameForAReply()
    {
        string printable = LogText.Printable("Svc:" + new string('x', 1024 * 1024), LogText.MaxReplyNameLength);
        Assert.Equal("Svc:" + new string('x', LogText.MaxReplyNameLength - 4) + "… (1048580 characters)", printable);
        Assert.Same("testVoid", LogText.Printable("testVoid", LogText.MaxReplyNameLength));
    }
}
