using Microsoft.Extensions.Logging;
using Tunicorn.Config;
using Tunicorn.Logging;
using Tunicorn.Tests.Config;

namespace Tunicorn.Tests.Logging;

public sealed class LogLevelRulesTests
{
    private static LogLevelRules Load(string json)
    {
        using var dir = new TempDirectory();
        return LogLevelRules.Load(dir.Write("logging.json", json));
    }

    [Fact]
    public void MinimumLevel_LongestMatchingRuleWins_IgnoringCase()
    {
        var rules = Load("""{"Logging": {"LogLevel": {"Default": "Warning", "Tunicorn": "Error", "Tunicorn.Thrift": "Debug"}}}""");

        Assert.Equal(LogLevel.Debug, rules.MinimumLevel("Tunicorn.Thrift.ThriftConnection", LogLevel.Information));
        Assert.Equal(LogLevel.Error, rules.MinimumLevel("tunicorn.master", LogLevel.Information));
        Assert.Equal(LogLevel.Warning, rules.MinimumLevel("MyApp.Handler", LogLevel.Information));
    }

    [Fact]
    public void MinimumLevel_WithoutDefault_FallsBackToLoglevel()
    {
        var rules = Load("""{"LogLevel": {"tunicorn.worker": "Trace"}}""");

        Assert.Null(rules.Default);
        Assert.Equal(LogLevel.Trace, rules.MinimumLevel("tunicorn.worker", LogLevel.Error));
        Assert.Equal(LogLevel.Error, rules.MinimumLevel("tunicorn.master", LogLevel.Error));
    }

    [Fact]
    public void MinimumLevel_OneStar_MatchesAnyMiddle()
    {
        var rules = Load("""{"Logging": {"LogLevel": {"Tunicorn.*Loop": "None"}}}""");

        Assert.Equal(LogLevel.None, rules.MinimumLevel("Tunicorn.IO.ReadinessLoop", LogLevel.Information));
        Assert.Equal(LogLevel.Information, rules.MinimumLevel("Tunicorn.IO.Other", LogLevel.Information));
    }

    [Fact]
    public void FromHandOff_OfToHandOff_GivesEqualRules()
    {
        var rules = Load("""{"Logging": {"LogLevel": {"Default": "Information", "Default.Category": "Debug", "a=b": "Critical"}}}""");

        var copy = LogLevelRules.FromHandOff(rules.ToHandOff());

        Assert.Equal(rules, copy);
        Assert.Equal(LogLevel.Debug, copy.MinimumLevel("Default.Category.X", LogLevel.Error));
        Assert.Equal(LogLevel.Critical, copy.MinimumLevel("a=b", LogLevel.Error));
        Assert.Equal(LogLevel.Information, copy.MinimumLevel("other", LogLevel.Error));
    }

    [Theory]
    [InlineData("""{"Logging": {"LogLevel": {"Default": "Verbose"}}}""", "sets \"Default\" to \"Verbose\", which is not one of Trace, Debug")]
    [InlineData("""{"Logging": {"LogLevel": {"x": 3}}}""", "sets \"x\" to 3")]
    [InlineData("""{"Logging": {"LogLevel": {"a*b*c": "Debug"}}}""", "more than one *")]
    [InlineData("""{"Logging": {}}""", "has no")]
    [InlineData("[]", "has no")]
    [InlineData("{", "is not valid JSON")]
    public void Load_BadFile_ThrowsWithTheReason(string json, string reason)
    {
        var error = Assert.Throws<SettingValueException>(() => Load(json));

        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_SaysItCannotBeRead() =>
        Assert.StartsWith("cannot be read", Assert.Throws<SettingValueException>(() => LogLevelRules.Load("/nonexistent/logging.json")).Reason, StringComparison.Ordinal);
}
