namespace Tunicorn.Config;

/// <summary>
/// Resolves settings from defaults &lt; config file (-c, or ./tunicorn.toml) &lt; TUNICORN_CMD_ARGS &lt; command line.
/// </summary>
/// <remarks>STUB surface: owned by the Config helper.</remarks>
public static class SettingsLoader
{
    /// <summary>
    /// Parses <paramref name="args"/>. Writes --help / --print-config output to <paramref name="stdout"/> and a
    /// one-line error (exit code 2) to <paramref name="stderr"/>. <paramref name="environment"/> supplies TUNICORN_CMD_ARGS.
    /// </summary>
    public static SettingsLoadResult Load(
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string> environment,
        string currentDirectory,
        TextWriter stdout,
        TextWriter stderr) => throw new NotImplementedException();
}
