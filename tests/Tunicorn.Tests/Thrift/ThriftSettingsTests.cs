using Thrift;
using Tunicorn.Config;
using Tunicorn.Thrift;
using Tunicorn.Tls;

namespace Tunicorn.Tests.Thrift;

public sealed class ThriftSettingsTests
{
    [Fact]
    public void LimitDefaults_AreApacheThriftDefaults()
    {
        Assert.Equal(TConfiguration.DEFAULT_MAX_FRAME_SIZE, ThriftSettings.ThriftMaxFrameSize.Default);
        Assert.Equal(TConfiguration.DEFAULT_MAX_MESSAGE_SIZE, ThriftSettings.ThriftMaxMessageSize.Default);
        Assert.Equal(TConfiguration.DEFAULT_RECURSION_DEPTH, ThriftSettings.ThriftRecursionLimit.Default);
    }

    [Fact]
    public void FromSettings_PassesTheLimitsToTheConfiguration()
    {
        var options = ThriftConnectionOptions.FromSettings(new Settings { ThriftMaxFrameSize = 1000, ThriftMaxMessageSize = 2000, ThriftRecursionLimit = 7 });
        Assert.Equal((2000, 1000, 7), (options.Configuration.MaxMessageSize, options.Configuration.MaxFrameSize, options.Configuration.RecursionLimit));
        Assert.Null(options.Tls);
    }

    [Fact]
    public void FromSettings_NoClientTimeout_IdleConnectionsWaitButStallsInAMessageAreBounded()
    {
        var options = ThriftConnectionOptions.FromSettings(new Settings());
        Assert.Null(options.IdleTimeout);
        Assert.Equal(ThriftConnectionOptions.DefaultStallTimeout, options.StallTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), ThriftConnectionOptions.FromSettings(new Settings { ThriftClientTimeout = 2 }).StallTimeout);
    }

    [Fact]
    public void FromSettings_MessageTimeout_DefaultsToThirtySeconds_AndZeroDisablesIt()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), ThriftConnectionOptions.FromSettings(new Settings()).MessageTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2.5), ThriftConnectionOptions.FromSettings(new Settings { ThriftMessageTimeout = 2.5 }).MessageTimeout);
        Assert.Null(ThriftConnectionOptions.FromSettings(new Settings { ThriftMessageTimeout = 0 }).MessageTimeout);
    }

    [Theory]
    [InlineData("ThriftTest=examples/ThriftTest.dll")]
    [InlineData("SecondService=bin/ThriftTest.dll:Tunicorn.Examples.ThriftTest.SecondServiceHandler")]
    [InlineData("my_service.v2=a.dll")]
    public void ServiceSetting_AcceptsNameEqualsApp(string text) =>
        Assert.Equal([text], ThriftSettings.Services.Parse([text]) as IReadOnlyList<string>);

    [Theory]
    [InlineData("ThriftTest.dll")]
    [InlineData("=a.dll")]
    [InlineData("1st=a.dll")]
    [InlineData("has:colon=a.dll")]
    [InlineData("ThriftTest=notadll")]
    public void ServiceSetting_RefusesOthers(string text) =>
        Assert.Throws<SettingValueException>(() => ThriftSettings.Services.Parse([text]));

    [Theory]
    [InlineData("auto", ThriftProtocolKind.Auto)]
    [InlineData("compact", ThriftProtocolKind.Compact)]
    public void ProtocolFactory_AcceptsAuto(string text, ThriftProtocolKind expected) =>
        Assert.Equal(expected, ThriftSettings.ThriftProtocol.Parse([text]));

    [Theory]
    [InlineData("none", CertRequirement.None)]
    [InlineData("2", CertRequirement.Required)]
    [InlineData("optional", CertRequirement.Optional)]
    public void CertReqs_AcceptsNamesAndGunicornsNumbers(string text, CertRequirement expected) =>
        Assert.Equal(expected, TlsSettings.CertReqs.Parse([text]));

    [Fact]
    public void Tls_CertReqsWithoutCaCerts_IsRefusedNamingTheSettings()
    {
        var error = Assert.Throws<ArgumentException>(() => ServerTls.FromSettings(new Settings { CertFile = "server.pem", CertReqs = CertRequirement.Required }));
        Assert.Contains("cert_reqs required needs ca_certs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tls_MissingCertfile_IsRefusedNamingTheFile()
    {
        var error = Assert.Throws<ArgumentException>(() => ServerTls.FromSettings(new Settings { CertFile = "/nonexistent/server.pem" }));
        Assert.StartsWith("certfile /nonexistent/server.pem", error.Message, StringComparison.Ordinal);
    }
}
