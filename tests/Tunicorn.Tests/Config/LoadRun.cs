using Tunicorn.Config;

namespace Tunicorn.Tests.Config;

/// <summary>One call of <see cref="SettingsLoader.Load"/> with its output captured.</summary>
internal sealed record LoadRun(SettingsLoadResult Result, string Stdout, string Stderr)
{
    public static LoadRun Of(string directory, string[] args, string? commandArgs = null)
    {
        var environment = new Dictionary<string, string>();
        if (commandArgs is not null)
        {
            environment[SettingsLoader.CommandArgsVariable] = commandArgs;
        }
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var result = SettingsLoader.Load(args, environment, directory, stdout, stderr);
        return new LoadRun(result, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Loads from an empty temp directory, so no tunicorn.toml is picked up by accident.</summary>
    public static LoadRun Of(params string[] args)
    {
        using var directory = new TempDirectory();
        return Of(directory.Path, args);
    }

    public Settings Settings => Result.Settings ?? throw new InvalidOperationException($"no settings; stderr: {Stderr}");

    /// <summary>The single error line, asserting there is exactly one and the exit status is 2.</summary>
    public string ErrorLine
    {
        get
        {
            Assert.Equal(SettingsCommand.Exit, Result.Command);
            Assert.Equal(2, Result.ExitCode);
            var lines = Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines);
            return lines[0].TrimEnd('\r');
        }
    }
}
