namespace Tunicorn.Config;

/// <summary>
/// Settings could not be resolved. The message is the one line printed after "tunicorn: error: ": it names the
/// setting, the value, what is allowed and, unless it is the command line, where the value came from.
/// </summary>
internal sealed class SettingsLoadException(string message) : Exception(message)
{
    public static SettingsLoadException ForValue(Setting setting, SettingValueException error, string? source) =>
        new($"{setting.Name}: {error.Message}{From(source)}");

    /// <summary>" (from SOURCE)", or nothing for the command line.</summary>
    public static string From(string? source) => source is null ? "" : $" (from {source})";
}
