using System.Globalization;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Parsing;

namespace Tunicorn.Config;

/// <summary>
/// Reads a tunicorn.toml: top-level keys are setting names. Values are turned back into the text the command line
/// would carry, so they go through the same validators; only the shape (array or not) is checked here.
/// </summary>
internal static class TomlConfigFile
{
    /// <param name="path">The absolute path to read.</param>
    /// <param name="displayName">The path as the user gave it, for error messages.</param>
    /// <exception cref="SettingsLoadException">Unreadable file, TOML syntax error, unknown key or a value of the wrong shape.</exception>
    public static IReadOnlyList<KeyValuePair<Setting, IReadOnlyList<string>>> Read(string path, string displayName)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsLoadException($"config: cannot read '{displayName}': {e.Message}");
        }

        TomlTable table;
        try
        {
            // The model reader keeps the last of two equal keys; the validating syntax parser rejects them, as TOML does.
            SyntaxParser.ParseStrict(text, displayName, validate: true);
            table = TomlSerializer.Deserialize(text, TomlModelContext.TableReader(displayName)) ?? new TomlTable();
        }
        catch (TomlException e)
        {
            // Tomlyn lists every diagnostic; the first is the cause and the one line we print.
            var first = e.Diagnostics is { Count: > 0 } diagnostics ? diagnostics[0].Message : e.Message.Split('\n')[0];
            throw new SettingsLoadException($"{displayName}:{e.Line}:{e.Column}: {first.TrimEnd()}");
        }

        var from = SettingsLoadException.From(displayName);
        var values = new List<KeyValuePair<Setting, IReadOnlyList<string>>>();
        foreach (var (key, value) in table)
        {
            var setting = SettingRegistry.Find(key) ?? throw new SettingsLoadException($"unknown setting '{key}'{from}");
            if (!setting.InConfigFile)
            {
                throw new SettingsLoadException($"{key}: can only be given on the command line or in TUNICORN_CMD_ARGS{from}");
            }
            values.Add(new(setting, Texts(setting, value, from)));
        }
        return values;
    }

    private static IReadOnlyList<string> Texts(Setting setting, object value, string from)
    {
        if (value is TomlArray array)
        {
            if (!setting.IsRepeatable)
            {
                throw new SettingsLoadException($"{setting.Name}: {Show(value)} is an array ({setting.TypeDescription} expected){from}");
            }
            return [.. array.Select(item => item is null ? "" : Scalar(setting, item, from))];
        }
        // A single value for a list setting is a list of one: bind = "0.0.0.0:9090" reads as it looks.
        return [Scalar(setting, value, from)];
    }

    private static string Scalar(Setting setting, object value, string from) => value switch
    {
        string s => s,
        // The one setting whose value is a table: its validator reads the table as JSON.
        TomlTable table when setting == RegistrySettings.ServiceRegisterConf => RegistryConfText.FromToml(table),
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => throw new SettingsLoadException($"{setting.Name}: {Show(value)} is {Kind(value)} ({setting.TypeDescription} expected){from}"),
    };

    private static string Show(object value) => value switch
    {
        TomlArray array => $"'[{string.Join(", ", array.Select(item => item is string s ? TomlText.Quote(s) : Convert.ToString(item, CultureInfo.InvariantCulture)))}]'",
        TomlTable table => $"'{{{string.Join(", ", table.Keys)}}}'",
        _ => $"'{Convert.ToString(value, CultureInfo.InvariantCulture)}'",
    };

    private static string Kind(object value) => value switch
    {
        TomlArray => "an array",
        TomlTable => "a table",
        _ => "a date or time",
    };
}
