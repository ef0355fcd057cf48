using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tunicorn.Config;

namespace Tunicorn.Logging;

/// <summary>
/// Minimum levels per log category, read from a Microsoft.Extensions.Logging-style JSON file (logconfig_json):
/// <c>{"Logging": {"LogLevel": {"Default": "Information", "Tunicorn.Thrift": "Debug"}}}</c>. As in
/// Microsoft.Extensions.Logging, the longest rule that starts the category wins, ignoring case, with one <c>*</c> allowed
/// as a wildcard; <c>Default</c> covers every other category, and without it the loglevel setting does.
/// </summary>
/// <remarks>
/// Only the master reads the file (System.Text.Json's first parse costs a new process 15-20 ms); workers get the
/// resolved rules in the settings hand-off (<see cref="ToHandOff"/>), a line per rule.
/// </remarks>
internal sealed class LogLevelRules : IEquatable<LogLevelRules>
{
    private static readonly string[] LevelNames = ["Trace", "Debug", "Information", "Warning", "Error", "Critical", "None"];

    // Longest first, so the first match is the most specific rule. Plain arrays: no generic code over LogLevel for a
    // worker's JIT (see Validators.Choice).
    private readonly string[] _categories;
    private readonly LogLevel[] _levels;

    private LogLevelRules(string source, LogLevel? defaultLevel, string[] categories, LogLevel[] levels)
    {
        Source = source;
        Default = defaultLevel;
        var order = Enumerable.Range(0, categories.Length).OrderByDescending(i => categories[i].Length).ToArray();
        _categories = order.Select(i => categories[i]).ToArray();
        _levels = order.Select(i => levels[i]).ToArray();
    }

    /// <summary>The absolute path of the file the rules were read from.</summary>
    public string Source { get; }

    /// <summary>The <c>Default</c> rule, or null when the file has none (then loglevel applies).</summary>
    public LogLevel? Default { get; }

    /// <summary>The minimum level of <paramref name="category"/>: its most specific rule, else Default, else <paramref name="fallback"/>.</summary>
    public LogLevel MinimumLevel(string category, LogLevel fallback)
    {
        for (int i = 0; i < _categories.Length; i++)
        {
            if (Matches(_categories[i], category))
                return _levels[i];
        }
        return Default ?? fallback;
    }

    /// <summary>
    /// Where a relative path starts: the directory tunicorn was started in. Set once by the master before it changes
    /// directory (chdir), so that a HUP, which re-reads the file from inside chdir, reads the same file as the start.
    /// </summary>
    internal static string? BaseDirectory { get; set; }

    /// <summary>Reads and checks the file named by <paramref name="text"/> (relative to <see cref="BaseDirectory"/>).</summary>
    /// <exception cref="SettingValueException">The file cannot be read, is not JSON, has no LogLevel section, or names an unknown level.</exception>
    public static LogLevelRules Load(string text)
    {
        string path = Path.GetFullPath(text, BaseDirectory ?? Environment.CurrentDirectory);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingValueException(text, $"cannot be read: {e.Message}");
        }
        JsonDocument document;
        try
        {
            // appsettings.json files often carry comments and trailing commas; Microsoft's JSON config reader accepts both.
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new SettingValueException(text, $"is not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && Property(root, "Logging") is { ValueKind: JsonValueKind.Object } logging)
                root = logging;
            if (root.ValueKind != JsonValueKind.Object || Property(root, "LogLevel") is not { ValueKind: JsonValueKind.Object } section)
                throw new SettingValueException(text, "has no \"Logging\": {\"LogLevel\": {...}} object");
            LogLevel? defaultLevel = null;
            var categories = new List<string>();
            var levels = new List<LogLevel>();
            foreach (var rule in section.EnumerateObject())
            {
                var level = rule.Value.ValueKind == JsonValueKind.String ? ParseLevel(rule.Value.GetString()!) : null;
                if (level is null)
                    throw new SettingValueException(text, $"sets \"{rule.Name}\" to {rule.Value.GetRawText()}, which is not one of {string.Join(", ", LevelNames)}");
                if (string.Equals(rule.Name, "Default", StringComparison.OrdinalIgnoreCase))
                {
                    defaultLevel = level;
                    continue;
                }
                if (rule.Name.Count(c => c == '*') > 1)
                    throw new SettingValueException(text, $"has the category \"{rule.Name}\" with more than one *");
                categories.Add(rule.Name);
                levels.Add(level.Value);
            }
            return new LogLevelRules(path, defaultLevel, categories.ToArray(), levels.ToArray());
        }
    }

    /// <summary>The source path, then <c>Default=LEVEL</c> when set, then <c>CATEGORY=LEVEL</c> a line each; read back by <see cref="FromHandOff"/>.</summary>
    public string ToHandOff()
    {
        var text = new StringBuilder(Source);
        if (Default is { } level)
            text.Append("\nDefault=").Append(LevelNames[(int)level]);
        for (int i = 0; i < _categories.Length; i++)
        {
            text.Append("\n=").Append(_categories[i]).Append('=').Append(LevelNames[(int)_levels[i]]);
        }
        return text.ToString();
    }

    /// <exception cref="FormatException">Not text that <see cref="ToHandOff"/> wrote.</exception>
    public static LogLevelRules FromHandOff(string text)
    {
        var lines = text.Split('\n');
        LogLevel? defaultLevel = null;
        var categories = new List<string>();
        var levels = new List<LogLevel>();
        foreach (var line in lines.Skip(1))
        {
            int equals = line.LastIndexOf('=');
            var level = equals > 0 ? ParseLevel(line[(equals + 1)..]) : null;
            if (level is null)
                throw new FormatException($"'{line}' is not a log level rule");
            // Category rules start with '=' so that a category named Default stays apart from the Default rule.
            if (line.StartsWith('='))
            {
                categories.Add(line[1..equals]);
                levels.Add(level.Value);
            }
            else if (line[..equals] == "Default")
            {
                defaultLevel = level;
            }
            else
            {
                throw new FormatException($"'{line}' is not a log level rule");
            }
        }
        return new LogLevelRules(lines[0], defaultLevel, categories.ToArray(), levels.ToArray());
    }

    public bool Equals(LogLevelRules? other) => other is not null && ToHandOff() == other.ToHandOff();

    public override bool Equals(object? obj) => Equals(obj as LogLevelRules);

    public override int GetHashCode() => ToHandOff().GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Source;

    private static bool Matches(string rule, string category)
    {
        int star = rule.IndexOf('*');
        if (star < 0)
            return category.StartsWith(rule, StringComparison.OrdinalIgnoreCase);
        string prefix = rule[..star];
        string suffix = rule[(star + 1)..];
        return category.Length >= prefix.Length + suffix.Length
            && category.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            && category.EndsWith(suffix, StringComparison.OrdinalIgnoreCase);
    }

    private static LogLevel? ParseLevel(string name)
    {
        for (int i = 0; i < LevelNames.Length; i++)
        {
            if (string.Equals(LevelNames[i], name, StringComparison.OrdinalIgnoreCase))
                return (LogLevel)i;
        }
        return null;
    }

    private static JsonElement? Property(JsonElement obj, string name)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                return property.Value;
        }
        return null;
    }
}
