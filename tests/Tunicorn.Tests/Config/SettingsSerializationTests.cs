using System.Reflection;
using System.Text.Json;
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
        RawEnv = ["A=1", "B=\"quoted\"\n"],
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
    };

    [Fact]
    public void Deserialize_OfSerialize_RestoresEveryPropertyExactly()
    {
        var original = Unusual();

        var copy = Settings.Deserialize(original.Serialize());

        foreach (var property in typeof(Settings).GetProperties(BindingFlags.Public | BindingFlags.Instance))
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
    public void Serialize_IsCompactJsonKeyedBySettingName()
    {
        var json = new Settings { Workers = 4 }.Serialize();

        Assert.DoesNotContain("\n", json);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(4, document.RootElement.GetProperty("workers").GetInt32());
        Assert.Equal("Async", document.RootElement.GetProperty("worker_class").GetString());
    }

    [Fact]
    public void Deserialize_UnknownSetting_Throws() =>
        Assert.Contains("'nope'", Assert.Throws<FormatException>(() => Settings.Deserialize("""{"nope":1}""")).Message);

    [Fact]
    public void Deserialize_WrongType_Throws() =>
        Assert.Throws<FormatException>(() => Settings.Deserialize("""{"workers":"many"}"""));

    [Fact]
    public void Deserialize_NotJson_Throws() => Assert.Throws<FormatException>(() => Settings.Deserialize("workers=2"));

    [Fact]
    public void Deserialize_MissingSettings_KeepDefaults() => Assert.Equal(30, Settings.Deserialize("""{"workers":2}""").Timeout);
}
