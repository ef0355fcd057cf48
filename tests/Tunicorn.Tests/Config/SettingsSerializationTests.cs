using System.Reflection;
using Microsoft.Extensions.Logging;
using Tunicorn.Config;

namespace Tunicorn.Tests.Config;

public sealed class SettingsSerializationTests
{
    private static Settings Unusual() => new()
    {
        App = "a/b.dll:N.T",
        ConfigFile = "/etc/tunicorn.toml",
        Bind = ["[::1]:1", "unix:/x y", "fd://4"],
        Backlog = 7,
        Workers = 5,
        WorkerClass = WorkerClass.Threaded,
        Threads = 3,
        WorkerConnections = 9,
        MaxRequests = 11,
        MaxRequestsJitter = 2,
        Timeout = 0.1 + 0.2,
        GracefulTimeout = double.PositiveInfinity,
        ReusePort = true,
        Chdir = "/srv/ü",
        RawEnv = ["A=1", "B=\"quoted\"\n", "C=%41,\0"],
        Pidfile = "p",
        User = "u",
        Group = "g",
        Umask = 0,
        AccessLog = "-",
        AccessLogFormat = "%(p)s",
        ErrorLog = "e.log",
        LogLevel = LogLevel.Trace,
        ProcName = "n",
        Hooks = "H",
        ThriftProtocol = ThriftProtocolKind.Json,
        ThriftTransport = ThriftTransportKind.Framed,
        ThriftClientTimeout = 1e-9,
        ThriftProcessorAsFactory = true,
        CaptureOutput = true,
        Syslog = true,
        SyslogAddr = "tcp://[::1]:1514",
        SyslogFacility = Tunicorn.Logging.SyslogFacility.Local7,
        SyslogPrefix = "a,%b",
        LogConfigJson = Tunicorn.Logging.LogLevelRules.FromHandOff("/etc/log,%.json\nDefault=Warning\n=Tunicorn.Thrift=Debug\n=a=b=None"),
    };

    [Fact]
    public void Deserialize_OfSerialize_RestoresEveryPropertyExactly()
    {
        var original = Unusual();

        var copy = Settings.Deserialize(original.Serialize());

        foreach (var property in typeof(Settings).GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
        {
            Assert.Equal(property.GetValue(original), property.GetValue(copy));
        }
        Assert.Equal(original.Serialize(), copy.Serialize());
    }

    [Fact]
    public void Deserialize_OfDefaults_GivesDefaults()
    {
        var copy = Settings.Deserialize(new Settings().Serialize());

        Assert.Null(copy.App);
        Assert.Null(copy.Umask);
        Assert.Null(copy.ThriftClientTimeout);
        Assert.Equal(["127.0.0.1:9090"], copy.Bind);
    }

    [Fact]
    public void Serialize_IsOneLinePerSettingKeyedByName_UnsetAsTheBareName()
    {
        var lines = new Settings { Workers = 4, Pidfile = null }.Serialize().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(SettingRegistry.Stored.Count(), lines.Length);
        Assert.Contains("workers=4", lines);
        Assert.Contains("worker_class=Async", lines);
        Assert.Contains("bind=1,127.0.0.1:9090", lines);
        Assert.Contains("pidfile", lines);
    }

    [Fact]
    public void Serialize_EscapesOnlyPercentCommaLineBreaksAndNul()
    {
        var text = new Settings { RawEnv = ["A=1,2", "B=%", "C=x\ny\rz\0", "D=ü \"q\" \t"] }.Serialize();

        Assert.Contains("raw_env=4,A=1%2C2,B=%25,C=x%0Ay%0Dz%00,D=ü \"q\" \t\n", text);
    }

    public static TheoryData<string[]> Lists => new() { Array.Empty<string>(), new[] { "" }, new[] { "", "" }, new[] { ",", "%", "%25", "a,b" } };

    [Theory]
    [MemberData(nameof(Lists))]
    public void Deserialize_OfSerialize_KeepsListsExactly(string[] rawEnv) =>
        Assert.Equal(rawEnv, Settings.Deserialize(new Settings { RawEnv = rawEnv }.Serialize()).RawEnv);

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(1e-300)]
    [InlineData(0.1 + 0.2)]
    public void Deserialize_OfSerialize_KeepsEveryDouble(double timeout) =>
        Assert.Equal(timeout, Settings.Deserialize(new Settings { Timeout = timeout }.Serialize()).Timeout);

    [Fact]
    public void Deserialize_UnknownSetting_Throws() =>
        Assert.Contains("'nope'", Assert.Throws<FormatException>(() => Settings.Deserialize("nope=1")).Message);

    [Theory]
    [InlineData("workers=many")]
    [InlineData("workers=99999999999")]
    [InlineData("reuse_port=yes")]
    [InlineData("worker_class=Gevent")]
    [InlineData("bind=2,127.0.0.1:1")]
    [InlineData("bind=x,127.0.0.1:1")]
    [InlineData("chdir=/a%2")]
    [InlineData("chdir=/a%zz")]
    public void Deserialize_ValueNotOfTheSettingsType_ThrowsNamingTheSetting(string line)
    {
        var error = Assert.Throws<FormatException>(() => Settings.Deserialize(line));
        Assert.Contains($"'{line[..line.IndexOf('=')]}'", error.Message);
    }

    [Fact]
    public void Deserialize_BareName_IsUnset() => Assert.Null(Settings.Deserialize("thrift_client_timeout=5\nthrift_client_timeout").ThriftClientTimeout);

    [Fact]
    public void Deserialize_MissingSettings_KeepDefaults() => Assert.Equal(30, Settings.Deserialize("workers=2").Timeout);
}
