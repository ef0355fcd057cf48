using System.Reflection;

namespace Tunicorn.Config;

/// <summary>
/// Resolves settings from defaults &lt; config file (-c, or ./tunicorn.toml) &lt; TUNICORN_CMD_ARGS &lt; command line.
/// </summary>
internal static class SettingsLoader
{
    /// <summary>The environment variable holding extra command-line options (gunicorn's GUNICORN_CMD_ARGS).</summary>
    public const string CommandArgsVariable = "TUNICORN_CMD_ARGS";

    /// <summary>The config file read from the current directory when -c is not given.</summary>
    public const string DefaultConfigFile = "tunicorn.toml";

    /// <summary>
    /// Parses <paramref name="args"/> and checks the path-valued settings against the file system (SettingPaths).
    /// Writes --help / --print-config output to <paramref name="stdout"/> and a one-line error (exit code 2, an
    /// invalid setting or usage) to <paramref name="stderr"/>. <paramref name="environment"/> supplies TUNICORN_CMD_ARGS.
    /// </summary>
    public static SettingsLoadResult Load(
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string> environment,
        string currentDirectory,
        TextWriter stdout,
        TextWriter stderr)
    {
        try
        {
            return LoadOrThrow(args, environment, currentDirectory, stdout);
        }
        catch (SettingsLoadException e)
        {
            stderr.WriteLine($"tunicorn: error: {e.Message}");
            return new SettingsLoadResult(SettingsCommand.Exit, null, Hosting.ExitCodes.InvalidSettings);
        }
    }

    private static SettingsLoadResult LoadOrThrow(
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string> environment,
        string currentDirectory,
        TextWriter stdout)
    {
        var parser = new SettingsCommandLine();
        var commandLine = parser.Parse(args, source: null);
        var fromEnvironment = ParseEnvironment(parser, environment);

        if (commandLine.Help || fromEnvironment.Help)
        {
            stdout.Write(SettingsHelp.Render());
            return new SettingsLoadResult(SettingsCommand.Exit, null, 0);
        }
        if (commandLine.Version || fromEnvironment.Version)
        {
            stdout.WriteLine($"tunicorn {Version()}");
            return new SettingsLoadResult(SettingsCommand.Exit, null, 0);
        }

        var values = SettingRegistry.All.ToDictionary(s => s, s => s.DefaultValue);
        var configFile = FindConfigFile(commandLine, fromEnvironment, currentDirectory);
        if (configFile is var (path, displayName))
        {
            Apply(values, TomlConfigFile.Read(path, displayName), displayName);
        }
        Apply(values, fromEnvironment.Values, CommandArgsVariable);
        Apply(values, commandLine.Values, source: null);
        // The file actually read, absolute, so a reload after a chdir still finds it.
        values[ConfigSettings.ConfigFile] = configFile?.Path;

        var settings = new Settings(values);
        var checkConfig = (bool)values[ConfigSettings.CheckConfig]!;
        if ((bool)values[ConfigSettings.PrintConfig]!)
        {
            stdout.Write(settings.ToToml());
            if (!checkConfig)
            {
                return new SettingsLoadResult(SettingsCommand.Exit, settings, 0);
            }
        }
        SettingPaths.Check(settings, currentDirectory);
        return new SettingsLoadResult(checkConfig ? SettingsCommand.CheckConfig : SettingsCommand.Run, settings, 0);
    }

    private static CommandLineArguments ParseEnvironment(SettingsCommandLine parser, IReadOnlyDictionary<string, string> environment)
    {
        if (!environment.TryGetValue(CommandArgsVariable, out var text) || string.IsNullOrWhiteSpace(text))
        {
            return new CommandLineArguments([], Help: false, Version: false);
        }
        IReadOnlyList<string> args;
        try
        {
            args = CommandLineSplitter.Split(text);
        }
        catch (FormatException e)
        {
            throw new SettingsLoadException($"{CommandArgsVariable}: {e.Message}");
        }
        return parser.Parse(args, CommandArgsVariable);
    }

    /// <summary>-c from the command line, else from TUNICORN_CMD_ARGS, else ./tunicorn.toml when it exists.</summary>
    private static (string Path, string DisplayName)? FindConfigFile(CommandLineArguments commandLine, CommandLineArguments fromEnvironment, string currentDirectory)
    {
        var (given, source) = commandLine.Last(ConfigSettings.ConfigFile) is { } fromCommandLine
            ? (fromCommandLine, (string?)null)
            : (fromEnvironment.Last(ConfigSettings.ConfigFile), CommandArgsVariable);
        if (given is null)
        {
            var implicitPath = Path.Combine(currentDirectory, DefaultConfigFile);
            return File.Exists(implicitPath) ? (implicitPath, DefaultConfigFile) : null;
        }
        try
        {
            ConfigSettings.ConfigFile.Validator.Parse(given);
        }
        catch (SettingValueException e)
        {
            throw SettingsLoadException.ForValue(ConfigSettings.ConfigFile, e, source);
        }
        var path = Path.GetFullPath(given, currentDirectory);
        if (Directory.Exists(path))
        {
            throw new SettingsLoadException($"config: '{given}' is a directory, not a file{SettingsLoadException.From(source)}");
        }
        return File.Exists(path)
            ? (path, given)
            : throw new SettingsLoadException($"config: '{given}' does not exist{SettingsLoadException.From(source)}");
    }

    private static void Apply(
        Dictionary<Setting, object?> values,
        IReadOnlyList<KeyValuePair<Setting, IReadOnlyList<string>>> layer,
        string? source)
    {
        foreach (var (setting, texts) in layer)
        {
            try
            {
                values[setting] = setting.Parse(texts);
            }
            catch (SettingValueException e)
            {
                throw SettingsLoadException.ForValue(setting, e, source);
            }
        }
    }

    private static string Version()
    {
        var version = typeof(SettingsLoader).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        // Drop the "+commit" build metadata the SDK appends.
        return version.Split('+')[0];
    }
}
