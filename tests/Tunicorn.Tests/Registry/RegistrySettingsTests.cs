using Tunicorn.Config;
using Tunicorn.Registry;
using Tunicorn.Tests.Config;

namespace Tunicorn.Tests.Registry;

public sealed class RegistrySettingsTests
{
    [Fact]
    public void Defaults_RegisterNothing()
    {
        var settings = LoadRun.Of().Settings;

        Assert.Equal("none", settings.ServiceRegisterCls);
        Assert.Null(settings.ServiceRegisterConf);
        Assert.Null(settings.AdvertiseHost);
    }

    [Theory]
    [InlineData("""{"hosts": "127.0.0.1:2379", "timeout": 3}""")]
    [InlineData("""{hosts = "127.0.0.1:2379", timeout = 3}""")]
    public void Conf_OnTheCommandLine_JsonOrInlineToml_HoldsTheSameCompactJson(string conf)
    {
        var settings = LoadRun.Of("--service-register-cls", "ETCD", "--service-register-conf", conf).Settings;

        Assert.Equal("etcd", settings.ServiceRegisterCls);
        Assert.Equal("""{"hosts":"127.0.0.1:2379","timeout":3}""", settings.ServiceRegisterConf);
    }

    [Fact]
    public void Conf_InTheConfigFile_IsATomlTable()
    {
        using var directory = new TempDirectory();
        directory.Write("tunicorn.toml", """
            service_register_cls = "zookeeper"
            advertise_host = "10.0.0.5"

            [service_register_conf]
            hosts = ["zk1:2181", "zk2:2181/chroot"]
            path = "/services/calc"
            format = "serverset"
            metadata = { zone = "eu-1", canary = false }
            """);

        var settings = LoadRun.Of(directory.Path, []).Settings;
        var options = RegistryOptions.Parse(settings.ServiceRegisterConf);

        Assert.Equal("zookeeper", settings.ServiceRegisterCls);
        Assert.Equal("10.0.0.5", settings.AdvertiseHost);
        Assert.Equal(["zk1:2181", "zk2:2181/chroot"], options.Hosts);
        Assert.Equal("/services/calc", options.ResolvePath("ignored"));
        Assert.Equal(RegistryEntryFormat.Serverset, options.Format);
        Assert.Equal("""{"zone":"eu-1","canary":false}""", options.Metadata!.Value.GetRawText());
    }

    [Fact]
    public void Conf_PrintedConfig_ReadsBackAsTheSameSettings()
    {
        var first = LoadRun.Of("--service-register-conf", """{prefix = "/x/y", weight = 0, deregister_delay = 0}""", "--print-config");
        using var directory = new TempDirectory();
        directory.Write("tunicorn.toml", first.Stdout);

        var again = LoadRun.Of(directory.Path, []).Settings;

        Assert.Equal(first.Settings.ServiceRegisterConf, again.ServiceRegisterConf);
        Assert.Equal(TimeSpan.Zero, RegistryOptions.Parse(again.ServiceRegisterConf).DeregisterDelay);
    }

    [Theory]
    [InlineData("""{"hostz": "a"}""", "has the unknown key 'hostz' (allowed: hosts, path, prefix,")]
    [InlineData("""{"format": "xml"}""", "has format 'xml' (allowed: tunicorn, serverset)")]
    [InlineData("""{"timeout": 0}""", "has a timeout that is not a number of seconds from 1 to 3600")]
    [InlineData("""{"path": "services"}""", "does not start with '/'")]
    [InlineData("""{"path": "/a", "prefix": "/b"}""", "has both path and prefix")]
    [InlineData("""{"auth": "nopassword"}""", "auth that is not user:password")]
    [InlineData("hosts=a", "is not a table")]
    [InlineData("{hosts = }", "is neither a JSON object nor an inline TOML table")]
    [InlineData("""{"hostz": "a"}""", "has the unknown key 'hostz' (allowed: hosts, path, prefix, service, timeout, auth, format, weight, version, metadata, deregister_delay, options)")]
    [InlineData("""{"hosts": 5}""", "has hosts that are neither a string nor an array of strings")]
    [InlineData("""{"hosts": [""]}""", "has hosts that are neither a string nor an array of strings")]
    [InlineData("""{"hosts": " , "}""", "has empty hosts")]
    [InlineData("""{"prefix": 3}""", "has a prefix that is not a non-empty string")]
    [InlineData("""{"prefix": "x"}""", "has prefix 'x', which does not start with '/'")]
    [InlineData("""{"prefix": "/a", "path": "/b"}""", "has both prefix and path (they are the same key: give one)")]
    [InlineData("""{"service": "a/b"}""", "has service 'a/b', which contains '/'")]
    [InlineData("""{"service": ""}""", "has a service that is not a non-empty string")]
    [InlineData("""{"timeout": "soon"}""", "has a timeout that is not a number of seconds from 1 to 3600")]
    [InlineData("""{"deregister_delay": 3601}""", "has a deregister_delay that is not a number of seconds from 0 to 3600")]
    [InlineData("""{"format": 1}""", "has a format that is not a non-empty string")]
    [InlineData("""{"format": "Thrift"}""", "has format 'thrift' (allowed: tunicorn, serverset)")]
    [InlineData("""{"weight": -1}""", "has a weight that is not an integer 0 or more")]
    [InlineData("""{"weight": 1.5}""", "has a weight that is not an integer 0 or more")]
    [InlineData("""{"version": 2}""", "has a version that is not a non-empty string")]
    [InlineData("""{"metadata": 1}""", "has metadata that is not a table")]
    [InlineData("""{"options": "x"}""", "has options that is not a table")]
    public void Conf_Invalid_IsOneLineNamingSettingAndReason(string conf, string reason)
    {
        var line = LoadRun.Of("--service-register-conf", conf).ErrorLine;

        Assert.StartsWith("tunicorn: error: service_register_conf: ", line);
        Assert.Contains(reason, line);
    }

    [Fact]
    public void Options_Unset_HoldEveryDeclaredDefault()
    {
        var options = RegistryOptions.Parse(null);

        Assert.Empty(options.Hosts);
        Assert.Null(options.Path);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Equal(RegistryEntryFormat.Tunicorn, options.Format);
        Assert.Equal(1, options.Weight);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.DeregisterDelay);
        Assert.Null(options.Metadata);
        Assert.Equal(["hosts", "path", "prefix", "service", "timeout", "auth", "format", "weight", "version", "metadata", "deregister_delay", "options"], RegistryOptions.Keys);
    }

    [Fact]
    public void Options_EveryKey_IsTyped()
    {
        var options = RegistryOptions.Parse("""
            {"hosts":"a:1, b:2","prefix":"/p/","service":"Calc","timeout":"2.5","auth":"u:p","format":"SERVERSET","weight":0,
             "version":"1.2","metadata":{"zone":"z"},"deregister_delay":0,"options":{"x":1}}
            """);

        Assert.Equal(["a:1", "b:2"], options.Hosts);
        Assert.Equal("/p", options.ResolvePath("ignored"));
        Assert.Equal("Calc", options.Service);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.Timeout);
        Assert.Equal("u:p", options.Auth);
        Assert.Equal(RegistryEntryFormat.Serverset, options.Format);
        Assert.Equal(0, options.Weight);
        Assert.Equal("1.2", options.Version);
        Assert.Equal("""{"zone":"z"}""", options.Metadata!.Value.GetRawText());
        Assert.Equal(TimeSpan.Zero, options.DeregisterDelay);
        Assert.Equal("""{"x":1}""", options.Options!.Value.GetRawText());
    }

    [Theory]
    [InlineData("My.Registry, MyAssembly", "My.Registry, MyAssembly")]
    [InlineData("ZooKeeper", "zookeeper")]
    [InlineData("none", "none")]
    public void Cls_BackendOrTypeName_IsAccepted(string value, string expected) =>
        Assert.Equal(expected, LoadRun.Of("--service-register-cls", value).Settings.ServiceRegisterCls);

    [Fact]
    public void Cls_Nonsense_IsRejected() =>
        Assert.Contains("is not zookeeper, etcd, none or a .NET type name", LoadRun.Of("--service-register-cls", "zoo keeper").ErrorLine);

    [Theory]
    [InlineData("0.0.0.0", "is a wildcard address")]
    [InlineData("[::]", "is a wildcard address")]
    [InlineData("not a host", "is not a host name or an IP address")]
    public void AdvertiseHost_Unusable_IsRejected(string host, string reason) =>
        Assert.Contains(reason, LoadRun.Of("--advertise-host", host).ErrorLine);

    [Fact]
    public void AdvertiseHost_BracketedIpv6_IsHeldWithoutBrackets() =>
        Assert.Equal("fd00::5", LoadRun.Of("--advertise-host", "[fd00::5]").Settings.AdvertiseHost);
}
