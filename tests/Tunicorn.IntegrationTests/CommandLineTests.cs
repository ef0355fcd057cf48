using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>The command line as an operator meets it: bad values, --check-config.</summary>
public sealed class CommandLineTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("-w", "abc", "workers")]
    [InlineData("-k", "gevent", "worker_class")]
    [InlineData("-b", "127.0.0.1", "bind")]
    public async Task BadValue_ExitsTwo_WithOneLineNamingTheSettingAndTheValue(string flag, string value, string setting)
    {
        await using var server = TunicornServer.Start([RepoPaths.CalculatorDll, flag, value], output);

        Assert.Equal(2, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        var lines = server.Log.Snapshot().Where(l => l.Length > 0).ToArray();
        Assert.Single(lines);
        Assert.Contains(setting, lines[0], StringComparison.Ordinal);
        Assert.Contains(value, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConfig_LoadsTheApp_AndExitsZeroWithoutServing()
    {
        await using var server = TunicornServer.Start([RepoPaths.CalculatorDll, "--check-config"], output);
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Empty(server.Log.Matches(LogPatterns.ListeningAt));
    }

    [Fact]
    public async Task CheckConfig_WithAMissingApp_ExitsOneNamingIt()
    {
        await using var server = TunicornServer.Start(["/nonexistent/Service.dll", "--check-config"], output);
        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains(server.Log.Snapshot(), line => line.Contains("/nonexistent/Service.dll", StringComparison.Ordinal));
    }
}
