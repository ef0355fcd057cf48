using System.Globalization;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>Acceptance 8: settings come from the config file, then TUNICORN_CMD_ARGS, then the command line, as --print-config shows.</summary>
public sealed class ConfigPrecedenceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PrintConfig_ShowsFileOverriddenByEnvironmentOverriddenByCommandLine()
    {
        using var dir = new TestDirectory("config");
        // Not named tunicorn.toml: that one would be read from the working directory without -c, defaults run included.
        string config = dir.File("settings.toml");
        await File.WriteAllTextAsync(config, """
            # Every value here is overridden below except graceful_timeout.
            bind = ["127.0.0.1:21111"]
            workers = 2
            timeout = 11
            graceful_timeout = 12
            max_requests = 13
            """);

        var defaults = await PrintConfigAsync(dir.Path, [RepoPaths.TestAppDll], environment: null);
        var resolved = await PrintConfigAsync(dir.Path,
            [RepoPaths.TestAppDll, "-c", config, "-w", "4", "--max-requests", "33"],
            "-w 3 -t 21 --max-requests 23 -b 127.0.0.1:22222");

        // workers: file 2 < env 3 < command line 4.
        Assert.Equal(4, Number(resolved, "workers"));
        // max_requests: file 13 < env 23 < command line 33.
        Assert.Equal(33, Number(resolved, "max_requests"));
        // timeout: file 11 < env 21.
        Assert.Equal(21, Number(resolved, "timeout"));
        // graceful_timeout: only the file sets it, over the default.
        Assert.Equal(12, Number(resolved, "graceful_timeout"));
        Assert.NotEqual(12, Number(defaults, "graceful_timeout"));
        // bind: the environment's replaces the file's.
        Assert.Contains("127.0.0.1:22222", resolved["bind"], StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1:21111", resolved["bind"], StringComparison.Ordinal);
        // A setting nobody touched keeps its default.
        Assert.Equal(defaults["backlog"], resolved["backlog"]);
    }

    /// <summary>Runs <c>tunicorn ARGS --print-config</c> in <paramref name="workingDirectory"/> and parses its <c>name = value</c> lines.</summary>
    private async Task<IReadOnlyDictionary<string, string>> PrintConfigAsync(string workingDirectory, string[] arguments, string? environment)
    {
        var variables = new Dictionary<string, string?>();
        if (environment is not null)
            variables["TUNICORN_CMD_ARGS"] = environment;
        await using var cli = ManagedProcess.Start(RepoPaths.Cli, [.. arguments, "--print-config"], variables, workingDirectory);
        int code = await cli.WaitForExitAsync(TimeSpan.FromSeconds(20));
        output.WriteLine($"[test] TUNICORN_CMD_ARGS={environment} tunicorn {string.Join(' ', arguments)} --print-config -> {code}");
        foreach (string line in cli.Stdout.Snapshot())
            output.WriteLine(line);
        Assert.True(code == 0, $"--print-config exited {code}: {cli.DescribeOutput()}");

        var names = new List<string>();
        var settings = new Dictionary<string, string>();
        foreach (string line in cli.Stdout.Snapshot().Where(l => !string.IsNullOrWhiteSpace(l) && !l.TrimStart().StartsWith('#')))
        {
            int eq = line.IndexOf(" = ", StringComparison.Ordinal);
            Assert.True(eq > 0, $"not a 'name = value' line: {line}");
            string name = line[..eq].Trim();
            names.Add(name);
            settings[name] = line[(eq + 3)..].Trim();
        }
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(names.Count, settings.Count);
        return settings;
    }

    /// <summary>A number as TOML prints it: 4, 21 or 21.0.</summary>
    private static double Number(IReadOnlyDictionary<string, string> settings, string name)
    {
        Assert.True(settings.ContainsKey(name), $"--print-config has no '{name}'");
        return double.Parse(settings[name], NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
