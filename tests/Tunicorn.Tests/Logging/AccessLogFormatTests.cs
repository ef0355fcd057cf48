using System.Globalization;
using Tunicorn.Logging;
using Tunicorn.Thrift;

namespace Tunicorn.Tests.Logging;

public sealed class AccessLogFormatTests
{
    private static ThriftCall Call(string peer, long durationMicros = 1_234_567, string? result = "ok") => new()
    {
        Method = "add",
        SeqId = 42,
        IsOneway = false,
        Connection = new ConnectionInfo { Id = 7, Peer = peer, LocalEndPoint = "127.0.0.1:9090" },
        StartTimestamp = 0,
        Result = result,
        Duration = TimeSpan.FromMicroseconds(durationMicros),
    };

    private static string Render(string format, ThriftCall call) =>
        string.Concat(AccessLogFormat.Compile(format).Select(part => part(call)));

    [Theory]
    [InlineData("127.0.0.1:53122", "127.0.0.1", "53122")]
    [InlineData("[::1]:53122", "::1", "53122")]
    [InlineData("unix:/run/t.sock", "unix:/run/t.sock", "-")]
    [InlineData("unknown", "-", "-")]
    public void RemoteAddressAndPort_AreSplitAsGunicornsHAndThriftsPort(string peer, string h, string port) =>
        Assert.Equal($"{h}|{port}|{peer}", Render("%(h)s|%(port)s|%(peer)s", Call(peer)));

    [Fact]
    public void GunicornLetters_HaveTheirNearestThriftMeaning()
    {
        string pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        Assert.Equal($"add add ok <{pid}> 1 1234 1234567 1.234567", Render("%(r)s %(m)s %(s)s %(p)s %(T)s %(M)s %(D)s %(L)s", Call("127.0.0.1:1")));
        Assert.Equal("0.000005 0 0", Render("%(L)s %(M)s %(T)s", Call("127.0.0.1:1", durationMicros: 5)));
        Assert.Equal("InvalidOperation InvalidOperation", Render("%(s)s %(result)s", Call("127.0.0.1:1", result: "InvalidOperation")));
    }

    [Fact]
    public void GunicornLettersWithoutAThriftCounterpart_AndHeaders_LogADash() =>
        Assert.Equal("- - - - - - - - - -", Render("%(l)s %(u)s %(U)s %(q)s %(H)s %(b)s %(B)s %(f)s %(a)s %({X-Request-Id}i)s", Call("127.0.0.1:1")));

    [Fact]
    public void ThriftTokens_AndPercent()
    {
        Assert.Equal("42 7 100%", Render("%(seqid)s %(connection)s 100%%", Call("127.0.0.1:1")));
    }

    [Fact]
    public void Time_IsGunicornsCommonLogFormat()
    {
        string line = Render("%(t)s", Call("127.0.0.1:1"));
        Assert.Matches(@"^\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]$", line);
        Assert.Equal("07/Dec/2026:02:50:16 +0000", LogTime.FormatCommonLog(new DateTimeOffset(2026, 12, 7, 2, 50, 16, TimeSpan.Zero)));
        Assert.Equal("07/Dec/2026:02:50:16 -0530", LogTime.FormatCommonLog(new DateTimeOffset(2026, 12, 7, 2, 50, 16, new TimeSpan(-5, -30, 0))));
    }
}
