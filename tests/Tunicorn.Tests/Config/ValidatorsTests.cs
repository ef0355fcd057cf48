using Tunicorn.Config;

namespace Tunicorn.Tests.Config;

public sealed class ValidatorsTests
{
    [Theory]
    [InlineData("1", 1)]
    [InlineData("64", 64)]
    [InlineData("2147483647", int.MaxValue)]
    public void PositiveInt_AcceptsOneOrMore(string text, int expected) => Assert.Equal(expected, Validators.PositiveInt.Parse(text));

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData(" 2")]
    [InlineData("")]
    [InlineData("2147483648")]
    public void PositiveInt_RejectsOthers_SayingWhatIsAllowed(string text)
    {
        var error = Assert.Throws<SettingValueException>(() => Validators.PositiveInt.Parse(text));
        Assert.Equal($"'{text}' is not a positive integer", error.Message);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("1000", 1000)]
    public void NonNegativeInt_AcceptsZeroOrMore(string text, int expected) => Assert.Equal(expected, Validators.NonNegativeInt.Parse(text));

    [Theory]
    [InlineData("-1")]
    [InlineData("x")]
    public void NonNegativeInt_RejectsNegativeAndText(string text) =>
        Assert.Contains("is not a non-negative integer", Assert.Throws<SettingValueException>(() => Validators.NonNegativeInt.Parse(text)).Message);

    [Theory]
    [InlineData("0", 0)]
    [InlineData("65536", 65536)]
    [InlineData("1048576", 1048576)]
    public void Gen0Budget_AcceptsZeroOrWhatTheGcAccepts(string text, int expected) => Assert.Equal(expected, Validators.Gen0Budget.Parse(text));

    [Theory]
    [InlineData("1000")]
    [InlineData("-1")]
    [InlineData("1M")]
    public void Gen0Budget_RejectsSmallNegativeAndSuffixed(string text) =>
        Assert.Contains("is not 0 or a number of bytes of at least 65536", Assert.Throws<SettingValueException>(() => Validators.Gen0Budget.Parse(text)).Message);

    [Theory]
    [InlineData("30", 30.0)]
    [InlineData("0", 0.0)]
    [InlineData("0.25", 0.25)]
    [InlineData("1e3", 1000.0)]
    public void Seconds_AcceptsNonNegativeNumbers(string text, double expected) => Assert.Equal(expected, Validators.Seconds.Parse(text));

    [Theory]
    [InlineData("-1")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("30s")]
    [InlineData("1,5")]
    public void Seconds_RejectsNegativeAndNonNumbers(string text) =>
        Assert.Contains("is not a number of seconds", Assert.Throws<SettingValueException>(() => Validators.Seconds.Parse(text)).Message);

    [Fact]
    public void Seconds_FormatsSoThatParseRoundTrips()
    {
        foreach (var value in new[] { 30.0, 0.1, 1e-7, 123456.789 })
        {
            Assert.Equal(value, Validators.Seconds.Parse(Validators.Seconds.Format(value)));
        }
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("True", true)]
    public void Boolean_AcceptsTrueAndFalse(string text, bool expected) => Assert.Equal(expected, Validators.Boolean.Parse(text));

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    public void Boolean_RejectsOtherWords(string text) =>
        Assert.Equal($"'{text}' is not true or false", Assert.Throws<SettingValueException>(() => Validators.Boolean.Parse(text)).Message);

    [Theory]
    [InlineData("127.0.0.1:9090")]
    [InlineData("0.0.0.0:0")]
    [InlineData("localhost:65535")]
    [InlineData("my-host.example.com:80")]
    [InlineData("[::1]:9090")]
    [InlineData("[::]:1")]
    [InlineData("unix:/run/tunicorn.sock")]
    [InlineData("unix:relative.sock")]
    [InlineData("fd://3")]
    public void Address_AcceptsEveryForm_Unchanged(string text) => Assert.Equal(text, Validators.Address.Parse(text));

    [Theory]
    [InlineData("127.0.0.1", "has no port")]
    [InlineData("localhost", "has no port")]
    [InlineData("[::1]", "has no port")]
    [InlineData("127.0.0.1:65536", "port that is not a number from 0 to 65535")]
    [InlineData("127.0.0.1:-1", "port that is not a number from 0 to 65535")]
    [InlineData("127.0.0.1:http", "port that is not a number from 0 to 65535")]
    [InlineData("127.0.0.1:", "port that is not a number from 0 to 65535")]
    [InlineData("::1:9090", "IPv6 address without brackets")]
    [InlineData("[::1:9090", "no IPv6 address in brackets")]
    [InlineData("[127.0.0.1]:9090", "no IPv6 address in brackets")]
    [InlineData("[::1]9090", "not :PORT")]
    [InlineData(":9090", "no valid host")]
    [InlineData("bad host:9090", "no valid host")]
    [InlineData("999.1.1.1:9090", "not an IPv4 address")]
    [InlineData("1.2.3:9090", "not an IPv4 address")]
    [InlineData("1.2.3.4.5:9090", "not an IPv4 address")]
    [InlineData("unix:", "no path after unix:")]
    [InlineData("fd://", "no file descriptor number")]
    [InlineData("fd://x", "no file descriptor number")]
    [InlineData("fd://-1", "no file descriptor number")]
    public void Address_RejectsMalformed_NamingTheProblem(string text, string reason)
    {
        var error = Assert.Throws<SettingValueException>(() => Validators.Address.Parse(text));
        Assert.Equal(text, error.Value);
        Assert.Contains(reason, error.Reason);
    }

    [Theory]
    [InlineData("0o22", 18)]
    [InlineData("0O077", 63)]
    [InlineData("022", 18)]
    [InlineData("18", 18)]
    [InlineData("0", 0)]
    [InlineData("0x12", 18)]
    [InlineData("0o777", 511)]
    public void OctalUmask_AcceptsOctalAndDecimal(string text, int expected) => Assert.Equal(expected, Validators.OctalUmask.Parse(text));

    [Theory]
    [InlineData("0o8")]
    [InlineData("089")]
    [InlineData("0o1000")]
    [InlineData("512")]
    [InlineData("-1")]
    [InlineData("rw")]
    [InlineData("0o")]
    public void OctalUmask_RejectsNonOctalAndOutOfRange(string text) =>
        Assert.Contains("is not a umask from 0 to 0o777", Assert.Throws<SettingValueException>(() => Validators.OctalUmask.Parse(text)).Message);

    [Fact]
    public void OctalUmask_FormatsAsPythonOctal() => Assert.Equal("0o22", Validators.OctalUmask.Format(18));

    [Theory]
    [InlineData("A=1")]
    [InlineData("EMPTY=")]
    [InlineData("URL=a=b")]
    public void KeyValue_AcceptsKeyEqualsValue(string text) => Assert.Equal(text, Validators.KeyValue.Parse(text));

    [Theory]
    [InlineData("NOEQUALS")]
    [InlineData("=value")]
    [InlineData("A B=1")]
    public void KeyValue_RejectsMissingKeyOrEquals(string text) =>
        Assert.Contains("is not KEY=VALUE", Assert.Throws<SettingValueException>(() => Validators.KeyValue.Parse(text)).Message);

    [Theory]
    [InlineData("""%(h)s %(t)s "%(r)s" %(s)s %(D)sus""")]
    // gunicorn's default access_log_format, copied as it is.
    [InlineData("%(h)s %(l)s %(u)s %(t)s \"%(r)s\" %(s)s %(b)s \"%(f)s\" \"%(a)s\"")]
    [InlineData("%(p)s %(s)s %(T)s %(M)s %(L)s 100%%")]
    [InlineData("%(seqid)s %(port)s %(peer)s %(result)s %(connection)s %({X-Request-Id}i)s")]
    [InlineData("no tokens at all")]
    public void AccessLogFormat_AcceptsGunicornLettersAndThriftTokens(string text) => Assert.Equal(text, Validators.AccessLogFormat.Parse(text));

    [Theory]
    [InlineData("%(h)s %(z)s", "%(z)s", "z")]
    [InlineData("%(sequence)s", "%(sequence)s", "sequence")]
    [InlineData("%({X-Trace}o)s", "%({X-Trace}o)s", "{X-Trace}o")]
    [InlineData("%({PATH}e)s", "%({PATH}e)s", "{PATH}e")]
    public void AccessLogFormat_RejectsUnknownToken_NamingItAndListingTheAllowedOnes(string text, string token, string name)
    {
        var error = Assert.Throws<SettingValueException>(() => Validators.AccessLogFormat.Parse(text));
        Assert.Contains($"unknown token {token}: '{name}' is neither one of gunicorn's letters nor a Thrift token", error.Reason);
        Assert.Contains("%(D)s duration in microseconds", error.Reason);
        Assert.Contains("%(seqid)s the call's sequence id", error.Reason);
    }

    [Theory]
    [InlineData("100%")]
    [InlineData("%(h)d")]
    [InlineData("%h")]
    public void AccessLogFormat_RejectsStrayPercent(string text) =>
        Assert.Contains("starts no %(NAME)s token", Assert.Throws<SettingValueException>(() => Validators.AccessLogFormat.Parse(text)).Reason);

    [Fact]
    public void Choice_AcceptsNamesAndAliases_CaseInsensitive()
    {
        var validator = WorkerSettings.WorkerClass.Validator;
        Assert.Equal(WorkerClass.Sync, validator.Parse("sync"));
        Assert.Equal(WorkerClass.Threaded, validator.Parse("THREADED"));
        Assert.Equal(WorkerClass.Sync, validator.Parse("thrift_sync"));
        Assert.Equal(WorkerClass.Async, validator.Parse("thrift_gevent"));
    }

    [Fact]
    public void Choice_RejectsOthers_ListingChoicesAndAliases()
    {
        var error = Assert.Throws<SettingValueException>(() => WorkerSettings.WorkerClass.Validator.Parse("foo"));
        Assert.Equal("'foo' is not one of sync, threaded, async (aliases thrift_sync, thrift_gevent)", error.Message);
    }

    [Fact]
    public void Choice_FormatsTheCanonicalName() => Assert.Equal("info", LoggingSettings.LogLevel.Validator.Format(Microsoft.Extensions.Logging.LogLevel.Information));

    [Fact]
    public void Choice_FormatsAValueOutsideTheChoicesByItsOwnName() =>
        Assert.Equal("trace", LoggingSettings.LogLevel.Validator.Format(Microsoft.Extensions.Logging.LogLevel.Trace));

    [Fact]
    public void Choice_NamesAndValuesOfDifferentLengths_Throws() =>
        Assert.Throws<ArgumentException>(() => Validators.Choice(["a", "b"], [1]));

    [Fact]
    public void Choice_ListsItsNamesInOrder() =>
        Assert.Equal(["none", "optional", "required"], TlsSettings.CertReqs.Validator.Choices);

    [Theory]
    [InlineData("www-data")]
    [InlineData("_svc")]
    [InlineData("1000")]
    public void AccountName_AcceptsNamesAndIds(string text) => Assert.Equal(text, Validators.AccountName.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("-dash")]
    public void AccountName_RejectsOthers(string text) =>
        Assert.Contains("is not a name or a numeric id", Assert.Throws<SettingValueException>(() => Validators.AccountName.Parse(text)).Message);

    [Theory]
    [InlineData("MyService.Hooks")]
    [InlineData("MyService.Outer+Hooks")]
    [InlineData("MyService.Hooks, MyService")]
    public void TypeName_AcceptsDotNetTypeNames(string text) => Assert.Equal(text, Validators.TypeName.Parse(text));

    [Theory]
    [InlineData("my service.Hooks")]
    [InlineData("1Hooks")]
    [InlineData("Hooks.")]
    public void TypeName_RejectsOthers(string text) =>
        Assert.Contains("is not a .NET type name", Assert.Throws<SettingValueException>(() => Validators.TypeName.Parse(text)).Message);

    [Theory]
    [InlineData("MyService.dll")]
    [InlineData("build/My.Service.dll:My.Service.Handler")]
    [InlineData("/abs/path/Svc.DLL")]
    public void AppSpec_AcceptsAssemblyWithOptionalType(string text) => Assert.Equal(text, Validators.AppSpec.Parse(text));

    [Theory]
    [InlineData("MyService")]
    [InlineData("MyService.dll:")]
    [InlineData("MyService.exe:Handler")]
    [InlineData(".dll")]
    public void AppSpec_RejectsOthers(string text) =>
        Assert.Contains("is not path/to/Assembly.dll[:Namespace.Type]", Assert.Throws<SettingValueException>(() => Validators.AppSpec.Parse(text)).Message);

    [Fact]
    public void Text_RejectsEmpty() =>
        Assert.Equal("'' is empty; a value is required", Assert.Throws<SettingValueException>(() => Validators.Text.Parse("")).Message);

    [Fact]
    public void ListOf_ChecksEachElement()
    {
        var validator = Validators.ListOf(Validators.Address);
        Assert.Equal(["unix:/a"], validator.Parse("unix:/a"));
        Assert.Throws<SettingValueException>(() => validator.Parse("nohost"));
        Assert.True(validator.IsList);
    }
}
