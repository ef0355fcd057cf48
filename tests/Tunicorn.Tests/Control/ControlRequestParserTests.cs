using System.Text;
using Tunicorn.Control;

namespace Tunicorn.Tests.Control;

public sealed class ControlRequestParserTests
{
    private static ControlRequest? Parse(string line, out string? error) => ControlRequestParser.Parse(Encoding.UTF8.GetBytes(line), out error);

    [Theory]
    [InlineData("""{"command":"status"}""", "status")]
    [InlineData("""{"command":"workers"}""", "workers")]
    [InlineData("""{"command":"reload"}""", "reload")]
    [InlineData("""{"command":"reopen"}""", "reopen")]
    [InlineData("""{"command":"config"}""", "config")]
    [InlineData("""{"command":"stop"}""", "stop")]
    public void CommandWithoutArguments_IsAccepted(string line, string command)
    {
        var request = Parse(line, out string? error);
        Assert.Null(error);
        Assert.Equal(command, request!.Command);
    }

    [Fact]
    public void AddWithACount_CarriesTheCount()
    {
        var request = Parse("""{"command":"add","count":2}""", out string? error);
        Assert.Null(error);
        Assert.Equal(2, request!.Count);
    }

    [Fact]
    public void StopQuick_CarriesQuick()
    {
        Assert.True(Parse("""{"command":"stop","quick":true}""", out _)!.Quick);
    }

    [Fact]
    public void Kill_CarriesThePid()
    {
        Assert.Equal(4242, Parse("""{"command":"kill","pid":4242}""", out _)!.Pid);
    }

    [Theory]
    [InlineData("""{"command":"add"}""", "add: \"count\" is missing")]
    [InlineData("""{"command":"remove","count":0}""", "remove: \"count\" must be 1 to 64, not 0")]
    [InlineData("""{"command":"add","count":1000}""", "add: \"count\" must be 1 to 64, not 1000")]
    [InlineData("""{"command":"kill"}""", "kill: \"pid\" must be a worker's pid")]
    [InlineData("""{"command":"kill","pid":-1}""", "kill: \"pid\" must be a worker's pid")]
    [InlineData("""{}""", "\"command\" is missing")]
    [InlineData("""{"command":"rewind"}""", "unknown command 'rewind' (known: status, workers, add, remove, kill, reload, reopen, stop, config, upgrade)")]
    [InlineData("""{"command":"upgrade","step":"sideways"}""", "upgrade: \"step\" must be start, finish or rollback, not 'sideways'")]
    [InlineData("null", "not a JSON request object: null")]
    public void InvalidRequest_IsRefusedWithTheReason(string line, string reason)
    {
        Assert.Null(Parse(line, out string? error));
        Assert.Equal(reason, error);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("{\"command\":")]
    [InlineData("[1,2]")]
    [InlineData("{\"command\":\"add\",\"count\":\"two\"}")]
    public void TextThatIsNotARequestObject_IsRefusedAsNotJson(string line)
    {
        Assert.Null(Parse(line, out string? error));
        Assert.StartsWith("not a JSON request object: ", error);
    }
}
