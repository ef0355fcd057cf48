using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Tomlyn;
using Tomlyn.Model;

namespace Tunicorn.Config;

/// <summary>
/// The text forms of service_register_conf, all turned into one canonical compact JSON object: a TOML table in the
/// config file, and on the command line either a JSON object or an inline TOML table (<c>{hosts = "…", timeout = 5}</c>).
/// The canonical text is what Settings holds, serializes to workers and prints with --print-config.
/// </summary>
internal static class RegistryConfText
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>JSON or an inline TOML table, as compact JSON. Throws <see cref="FormatException"/> with a reason.</summary>
    public static string Normalize(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith('{'))
            throw new FormatException("is not a table: expected a JSON object or an inline TOML table, e.g. {hosts = \"127.0.0.1:2181\"}");

        string? jsonError;
        try
        {
            using var document = JsonDocument.Parse(trimmed);
            return Write(writer => document.RootElement.WriteTo(writer));
        }
        catch (JsonException e)
        {
            jsonError = e.Message;
        }

        TomlTable parsed;
        try
        {
            parsed = TomlSerializer.Deserialize("conf = " + trimmed + "\n", TomlModelContext.Default.TomlTable) ?? new TomlTable();
        }
        catch (TomlException)
        {
            // Neither form: the JSON reason is usually the clearer one (inline TOML tables must fit on one line).
            throw new FormatException($"is neither a JSON object nor an inline TOML table ({jsonError.Split(" LineNumber", 2)[0].TrimEnd('.')})");
        }
        return parsed.TryGetValue("conf", out var value) && value is TomlTable table
            ? FromToml(table)
            : throw new FormatException("is not a table: expected a JSON object or an inline TOML table");
    }

    /// <summary>A TOML table from the config file, as compact JSON.</summary>
    public static string FromToml(TomlTable table) => Write(writer => WriteToml(writer, table));

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            write(writer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteToml(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case long l: writer.WriteNumberValue(l); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case double d: writer.WriteStringValue(d.ToString("R", CultureInfo.InvariantCulture)); break;
            case TomlTable table:
                writer.WriteStartObject();
                foreach (var (key, item) in table)
                {
                    writer.WritePropertyName(key);
                    WriteToml(writer, item);
                }
                writer.WriteEndObject();
                break;
            case System.Collections.IEnumerable items:
                // TomlArray and TomlTableArray.
                writer.WriteStartArray();
                foreach (var item in items)
                    WriteToml(writer, item);
                writer.WriteEndArray();
                break;
            default:
                // Dates and times: JSON has none, their TOML text is the honest form.
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
