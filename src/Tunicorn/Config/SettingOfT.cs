using System.Globalization;
using System.Text.Json;

namespace Tunicorn.Config;

/// <summary>A setting whose value is a <typeparamref name="T"/>, checked and formatted by its <see cref="Validator"/>.</summary>
public sealed class Setting<T> : Setting
{
    public Setting(string name, SettingSection section)
        : base(name, section)
    {
    }

    /// <summary>The value when no source sets it; null leaves the setting unset.</summary>
    public required T? Default { get; init; }

    public required Validator<T> Validator { get; init; }

    public override bool IsFlag => typeof(T) == typeof(bool);

    public override bool IsRepeatable => Validator.IsList;

    public override string TypeDescription => Validator.Type;

    public override object? DefaultValue => Default;

    public override Type ValueType => typeof(T);

    public override object? Parse(IReadOnlyList<string> occurrences)
    {
        if (IsRepeatable)
        {
            if (occurrences.Count == 0 && !Validator.AllowsEmptyList)
            {
                throw new SettingValueException("[]", $"is an empty list; at least one {Validator.Type.Replace("list of ", "")} is needed");
            }
            return occurrences.SelectMany(text => (IReadOnlyList<string>)Validator.Parse(text)!).ToArray();
        }
        object? value = Default;
        foreach (var text in occurrences)
        {
            value = Validator.Parse(text);
        }
        return value;
    }

    public override string FormatText(object? value) => value is T typed ? Validator.Format(typed) : "";

    public override string? FormatToml(object? value) => value switch
    {
        null => null,
        IReadOnlyList<string> list => "[" + string.Join(", ", list.Select(TomlText.Quote)) + "]",
        // Numbers and booleans are TOML literals as the validator writes them (0o22 is TOML's octal form).
        int or double or bool => FormatText(value),
        _ => TomlText.Quote(FormatText(value)),
    };

    internal override void WriteJson(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            // JSON has no NaN or infinity; a value set in code may still hold one, so it travels as text.
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case double d: writer.WriteStringValue(d.ToString("R", CultureInfo.InvariantCulture)); break;
            case Enum e: writer.WriteStringValue(e.ToString()); break;
            case IReadOnlyList<string> list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    writer.WriteStringValue(item);
                }
                writer.WriteEndArray();
                break;
            default: throw new NotSupportedException($"{Name}: values of type {value.GetType()} cannot be serialized");
        }
    }

    internal override object? ReadJson(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (type == typeof(string))
        {
            return element.GetString();
        }
        if (type == typeof(bool))
        {
            return element.GetBoolean();
        }
        if (type == typeof(int))
        {
            return element.GetInt32();
        }
        if (type == typeof(double))
        {
            return element.ValueKind == JsonValueKind.String
                ? double.Parse(element.GetString()!, CultureInfo.InvariantCulture)
                : element.GetDouble();
        }
        if (type.IsEnum)
        {
            return Enum.Parse(type, element.GetString()!);
        }
        if (type == typeof(IReadOnlyList<string>))
        {
            return element.EnumerateArray().Select(e => e.GetString()!).ToArray();
        }
        throw new NotSupportedException($"{Name}: values of type {type} cannot be deserialized");
    }
}
