using Tomlyn;
using Tomlyn.Model;
using Tunicorn.Config;

namespace Tunicorn.Tests.Config;

public sealed class PrintConfigTests
{
    [Fact]
    public void PrintConfig_ParsesAsTomlAndReflectsEverySource()
    {
        using var dir = new TempDirectory();
        dir.Write("tunicorn.toml", """
            workers = 2
            raw_env = ["A=1"]
            umask = 0o27
            """);

        var run = LoadRun.Of(dir.Path, ["--print-config", "-k", "thrift_sync", "-b", "[::1]:1", "-b", "unix:/tmp/a b.sock"], commandArgs: "--timeout 2.5");

        Assert.Equal(SettingsCommand.Exit, run.Result.Command);
        Assert.Equal(0, run.Result.ExitCode);
        var table = TomlSerializer.Deserialize<TomlTable>(run.Stdout)!;
        Assert.Equal(2L, table["workers"]);
        Assert.Equal("sync", table["worker_class"]);
        Assert.Equal(2.5, table["timeout"]);
        Assert.Equal(23L, table["umask"]);
        Assert.Equal(["[::1]:1", "unix:/tmp/a b.sock"], ((TomlArray)table["bind"]).Cast<string>());
        Assert.Equal(["A=1"], ((TomlArray)table["raw_env"]).Cast<string>());
        Assert.Equal("info", table["loglevel"]);
        Assert.Equal("%(h)s %(t)s \"%(r)s\" %(s)s %(D)sus", table["access_log_format"]);
    }

    [Fact]
    public void PrintConfig_ListsEverySettingSortedByName()
    {
        var names = LoadRun.Of("--print-config").Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.TrimStart('#', ' ').Split(' ')[0])
            .ToList();

        Assert.Equal(SettingRegistry.Stored.Select(s => s.Name).Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public void PrintConfig_UnsetSettings_AreComments()
    {
        var stdout = LoadRun.Of("--print-config").Stdout;

        Assert.Contains("# pidfile is not set\n", stdout);
        Assert.Contains("# config is not set\n", stdout);
        Assert.Contains("workers = 1\n", stdout);
    }

    [Fact]
    public void PrintConfig_Output_LoadsBackAsConfigFileToTheSameSettings()
    {
        using var first = new TempDirectory();
        var original = LoadRun.Of(first.Path, ["--print-config", "x.dll:A.B", "-w", "3", "-m", "022", "-t", "0.1", "--thrift-client-timeout", "9",
            "--access-logformat", "100%% %(p)s", "-n", "quote\"and\\slash"]);

        using var second = new TempDirectory();
        second.Write("tunicorn.toml", original.Stdout);
        var reloaded = LoadRun.Of(second.Path, []);

        Assert.Equal(original.Settings.Serialize(), new Settings(WithoutConfigFile(reloaded.Settings)).Serialize());
    }

    [Fact]
    public void PrintConfigWithCheckConfig_PrintsThenChecks()
    {
        var run = LoadRun.Of("--print-config", "--check-config");

        Assert.Equal(SettingsCommand.CheckConfig, run.Result.Command);
        Assert.Contains("workers = 1", run.Stdout);
    }

    private static Dictionary<Setting, object?> WithoutConfigFile(Settings settings)
    {
        var values = SettingRegistry.Stored.ToDictionary(s => s, settings.GetValue);
        values[ConfigSettings.ConfigFile] = null;
        return values;
    }
}
