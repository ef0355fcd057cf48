using System.Net.Security;
using System.Security.Authentication;
using Tunicorn.Config;
using Tunicorn.Interop;
using Tunicorn.Thrift;
using Tunicorn.Tls;

namespace Tunicorn.Tests.Config;

/// <summary>
/// Settings with gunicorn's (and gunicorn_thrift's) names and spellings: thrift factory names as gunicorn_thrift and
/// thriftpy2 write them, ssl_version, ciphers, initgroups, daemon, app_probe_paths and -v.
/// </summary>
public sealed class ProcessAndTlsSettingsTests
{
    [Theory]
    [InlineData("thrift.protocol.TBinaryProtocol:TBinaryProtocolFactory", ThriftProtocolKind.Binary)]
    [InlineData("thrift.protocol.TBinaryProtocol:TBinaryProtocolAcceleratedFactory", ThriftProtocolKind.Binary)]
    [InlineData("thrift.protocol.TCompactProtocol:TCompactProtocolFactory", ThriftProtocolKind.Compact)]
    [InlineData("thrift.protocol.TJSONProtocol:TJSONProtocolFactory", ThriftProtocolKind.Json)]
    [InlineData("thriftpy2.protocol:TBinaryProtocolFactory", ThriftProtocolKind.Binary)]
    [InlineData("thriftpy2.protocol:TCyBinaryProtocolFactory", ThriftProtocolKind.Binary)]
    [InlineData("thriftpy2.protocol:TCompactProtocolFactory", ThriftProtocolKind.Compact)]
    [InlineData("thriftpy2.protocol:TJSONProtocolFactory", ThriftProtocolKind.Json)]
    [InlineData("compact", ThriftProtocolKind.Compact)]
    public void ThriftProtocolFactory_AcceptsGunicornThriftFactoryNames(string text, ThriftProtocolKind expected) =>
        Assert.Equal(expected, ThriftSettings.ThriftProtocol.Validator.Parse(text));

    [Theory]
    [InlineData("thrift.transport.TTransport:TBufferedTransportFactory", ThriftTransportKind.Buffered)]
    [InlineData("thrift.transport.TTransport:TFramedTransportFactory", ThriftTransportKind.Framed)]
    [InlineData("thriftpy2.transport:TBufferedTransportFactory", ThriftTransportKind.Buffered)]
    [InlineData("thriftpy2.transport:TCyBufferedTransportFactory", ThriftTransportKind.Buffered)]
    [InlineData("thriftpy2.transport:TFramedTransportFactory", ThriftTransportKind.Framed)]
    [InlineData("thriftpy2.transport:TCyFramedTransportFactory", ThriftTransportKind.Framed)]
    public void ThriftTransportFactory_AcceptsGunicornThriftFactoryNames(string text, ThriftTransportKind expected) =>
        Assert.Equal(expected, ThriftSettings.ThriftTransport.Validator.Parse(text));

    [Theory]
    [InlineData("thrift.protocol.TMultiplexedProtocol:TMultiplexedProtocolFactory")]
    [InlineData("thrift.transport.TTransport:TFramedTransport")]
    [InlineData("TCompactProtocolFactory")]
    public void ThriftFactories_RejectPythonNamesThatAreNoWireFormatOfOurs(string text)
    {
        var protocol = Assert.Throws<SettingValueException>(() => ThriftSettings.ThriftProtocol.Validator.Parse(text));
        Assert.StartsWith($"'{text}' is not one of binary, compact, json, auto", protocol.Message);
        Assert.Throws<SettingValueException>(() => ThriftSettings.ThriftTransport.Validator.Parse(text));
    }

    [Fact]
    public void ThriftFactoryNames_FromTheCommandLine_PrintAsOurNames()
    {
        var settings = LoadRun.Of("x.dll", "--thrift-protocol-factory", "thriftpy2.protocol:TCompactProtocolFactory",
            "--thrift-transport-factory", "thrift.transport.TTransport:TFramedTransportFactory").Settings;

        Assert.Equal(ThriftProtocolKind.Compact, settings.ThriftProtocol);
        Assert.Equal(ThriftTransportKind.Framed, settings.ThriftTransport);
        Assert.Contains("thrift_protocol_factory = \"compact\"", settings.ToToml());
    }

    [Theory]
    [InlineData("TLSv1.2", TlsMinimumVersion.Tls12)]
    [InlineData("TLSv1_2", TlsMinimumVersion.Tls12)]
    [InlineData("PROTOCOL_TLSv1_2", TlsMinimumVersion.Tls12)]
    [InlineData("5", TlsMinimumVersion.Tls12)]
    [InlineData("TLSv1.3", TlsMinimumVersion.Tls13)]
    [InlineData("tlsv1_3", TlsMinimumVersion.Tls13)]
    [InlineData("TLSv1", TlsMinimumVersion.Tls10)]
    [InlineData("TLSv1_1", TlsMinimumVersion.Tls11)]
    [InlineData("TLS", TlsMinimumVersion.Default)]
    [InlineData("TLS_SERVER", TlsMinimumVersion.Default)]
    [InlineData("SSLv23", TlsMinimumVersion.Default)]
    [InlineData("2", TlsMinimumVersion.Default)]
    public void SslVersion_AcceptsGunicornSpellings(string text, TlsMinimumVersion expected) =>
        Assert.Equal(expected, TlsSettings.SslVersion.Validator.Parse(text));

    [Theory]
    [InlineData("SSLv3")]
    [InlineData("TLSv1.4")]
    [InlineData("")]
    public void SslVersion_RejectsOthers_NamingTheChoices(string text) =>
        Assert.Contains("is not one of TLS, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3",
            Assert.Throws<SettingValueException>(() => TlsSettings.SslVersion.Validator.Parse(text)).Message);

    [Theory]
    [InlineData(TlsMinimumVersion.Default, SslProtocols.None)]
    [InlineData(TlsMinimumVersion.Tls12, SslProtocols.Tls12 | SslProtocols.Tls13)]
    [InlineData(TlsMinimumVersion.Tls13, SslProtocols.Tls13)]
    public void SslVersion_IsTheOldestVersionAllowed(TlsMinimumVersion minimum, SslProtocols expected) =>
        Assert.Equal(expected, ServerTls.ProtocolsFrom(minimum));

    [Fact]
    public void Ciphers_AnOpenSslCipherString_ResolvesToItsSuites_PlusTls13Suites()
    {
        var suites = CipherString.Resolve("ECDHE-RSA-AES256-GCM-SHA384");

        Assert.Contains(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, suites);
        Assert.DoesNotContain(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, suites);
        // A cipher string sets TLS 1.2's list only; TLS 1.3 keeps its suites, as with Python's ssl.set_ciphers.
        Assert.Contains(TlsCipherSuite.TLS_AES_256_GCM_SHA384, suites);
    }

    [Fact]
    public void Ciphers_OpenSslKeywords_AreReadByOpenSsl()
    {
        var suites = CipherString.Resolve("ECDHE+AESGCM:!aNULL");

        Assert.Contains(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, suites);
        Assert.DoesNotContain(TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, suites);
    }

    [Theory]
    [InlineData("NO-SUCH-CIPHER")]
    [InlineData("!ALL")]
    public void Ciphers_AStringNamingNoCipher_IsRefused(string text) =>
        Assert.Equal($"ciphers: '{text}' names no cipher OpenSSL knows (see openssl ciphers -v)",
            LoadRun.Of("x.dll", "--ciphers", text).ErrorLine.Replace("tunicorn: error: ", ""));

    [Fact]
    public void Initgroups_Daemon_AndProbePaths_HaveGunicornFlagsAndDefaults()
    {
        var defaults = LoadRun.Of("x.dll").Settings;
        Assert.False(defaults.Initgroups);
        Assert.False(defaults.Daemon);
        Assert.Empty(defaults.AppProbePaths);

        var set = LoadRun.Of("x.dll", "--initgroups", "-D", "--app-probe-path", "/opt/a", "--app-probe-path", "lib").Settings;
        Assert.True(set.Initgroups);
        Assert.True(set.Daemon);
        Assert.Equal(["/opt/a", "lib"], set.AppProbePaths);
        Assert.True(LoadRun.Of("x.dll", "--daemon").Settings.Daemon);
    }

    [Fact]
    public void NewSettings_RoundTripToWorkers()
    {
        var settings = new Settings
        {
            Initgroups = true,
            Daemon = true,
            AppProbePaths = ["/opt/lib", "b"],
            SslVersion = TlsMinimumVersion.Tls13,
            Ciphers = "ECDHE+AESGCM",
        };

        var copy = Settings.Deserialize(settings.Serialize());

        Assert.True(copy.Initgroups);
        Assert.True(copy.Daemon);
        Assert.Equal(["/opt/lib", "b"], copy.AppProbePaths);
        Assert.Equal(TlsMinimumVersion.Tls13, copy.SslVersion);
        Assert.Equal("ECDHE+AESGCM", copy.Ciphers);
    }

    [Fact]
    public void ShortV_PrintsTheVersion_AsVersionDoes()
    {
        var run = LoadRun.Of("-v");

        Assert.Equal(0, run.Result.ExitCode);
        Assert.Equal(LoadRun.Of("--version").Stdout, run.Stdout);
        Assert.StartsWith("tunicorn ", run.Stdout);
    }
}
