using Microsoft.Extensions.Logging;
using Tunicorn.Config;
using Tunicorn.Logging;

namespace Tunicorn.Tests.Logging;

public sealed class SyslogTests
{
    [Theory]
    [InlineData("unix:///dev/log", nameof(SyslogTransport.Unix), "/dev/log", 0)]
    [InlineData("udp://localhost:514", nameof(SyslogTransport.Udp), "localhost", 514)]
    [InlineData("udp://10.0.0.1", nameof(SyslogTransport.Udp), "10.0.0.1", 514)]
    [InlineData("TCP://log.example:6514", nameof(SyslogTransport.Tcp), "log.example", 6514)]
    [InlineData("udp://[::1]:1514", nameof(SyslogTransport.Udp), "::1", 1514)]
    [InlineData("udp://[::1]", nameof(SyslogTransport.Udp), "::1", 514)]
    // The transport comes as its member name: SyslogTransport is internal, and a public test method cannot take it.
    public void Parse_GunicornsForms(string text, string transport, string host, int port) =>
        Assert.Equal(new SyslogAddress(Enum.Parse<SyslogTransport>(transport), host, port), SyslogAddress.Parse(text));

    [Theory]
    [InlineData("/dev/log")]
    [InlineData("unix://")]
    [InlineData("http://host:514")]
    [InlineData("udp://:514")]
    [InlineData("udp://host:0")]
    [InlineData("udp://host:65536")]
    [InlineData("tcp://host:port")]
    public void Parse_OtherText_IsRejected(string text) => Assert.Throws<SettingValueException>(() => SyslogAddress.Parse(text));

    [Theory]
    [InlineData(SyslogFacility.User, LogLevel.Information, 14)]
    [InlineData(SyslogFacility.User, LogLevel.Debug, 15)]
    [InlineData(SyslogFacility.User, LogLevel.Trace, 15)]
    [InlineData(SyslogFacility.Kern, LogLevel.Critical, 2)]
    [InlineData(SyslogFacility.Daemon, LogLevel.Error, 27)]
    [InlineData(SyslogFacility.Local7, LogLevel.Warning, 188)]
    public void Priority_IsFacilityTimesEightPlusTheSeverityOfTheLevel(SyslogFacility facility, LogLevel level, int priority) =>
        Assert.Equal(priority, SyslogSink.Priority(facility, level));

    [Fact]
    public void Tag_IsTunicornOrTunicornDotPrefix()
    {
        Assert.Equal("tunicorn", SyslogSink.Tag(null));
        Assert.Equal("tunicorn.billing", SyslogSink.Tag("billing"));
    }

    [Theory]
    [InlineData("local3", SyslogFacility.Local3)]
    [InlineData("security", SyslogFacility.Auth)]
    [InlineData("USER", SyslogFacility.User)]
    public void FacilitySetting_TakesPythonsNames(string text, SyslogFacility facility) =>
        Assert.Equal(facility, LoggingSettings.SyslogFacility.Validator.Parse(text));
}
