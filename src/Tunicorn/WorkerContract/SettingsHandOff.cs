using System.Globalization;
using System.Text;
using Tunicorn.Config;

namespace Tunicorn.WorkerContract;

/// <summary>
/// The text in which a master hands its settings to the workers it starts (in an environment variable): one line per
/// setting, <c>name=value</c>, or the bare name when the setting is unset. Strings are kept as they are but for
/// <c>%</c>, <c>,</c>, line breaks and NUL, written as <c>%XX</c>; a list is its length then each element after a comma
/// (<c>bind=2,127.0.0.1:9090,unix:/run/t.sock</c>); enums by member name, numbers in the invariant culture.
/// </summary>
/// <remarks>
/// Not JSON, which it was: a worker reads this once while it boots, and the first parse with System.Text.Json cost a
/// freshly started runtime 15-20 ms (its vectorized readers are compiled by the JIT at that moment), a tenth of the
/// time from spawn to serving.
/// </remarks>
internal static class SettingsHandOff
{
    public static void AppendLine(StringBuilder text, Setting setting, object? value)
    {
        text.Append(setting.Name);
        if (value is not null)
        {
            text.Append('=');
            AppendValue(text, setting, value);
        }
        text.Append('\n');
    }

    /// <exception cref="FormatException">The text is not a value of the setting's type.</exception>
    public static object ReadValue(Setting setting, string text)
    {
        var type = Nullable.GetUnderlyingType(setting.ValueType) ?? setting.ValueType;
        try
        {
            if (type == typeof(string))
                return Unescape(text);
            if (type == typeof(bool))
                return text switch { "true" => true, "false" => false, _ => throw new FormatException($"'{text}' is not true or false") };
            if (type == typeof(int))
                return int.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            if (type == typeof(double))
                return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (type.IsEnum)
                return Enum.Parse(type, text);
            if (type == typeof(IReadOnlyList<string>))
                return ReadList(text);
            if (type == typeof(Logging.LogLevelRules))
                return Logging.LogLevelRules.FromHandOff(Unescape(text));
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new FormatException($"serialized setting '{setting.Name}' has a bad value: {e.Message}", e);
        }
        throw new NotSupportedException($"{setting.Name}: values of type {type} cannot be deserialized");
    }

    private static void AppendValue(StringBuilder text, Setting setting, object value)
    {
        switch (value)
        {
            case string s: AppendEscaped(text, s); break;
            case bool b: text.Append(b ? "true" : "false"); break;
            case int i: text.Append(i.ToString(CultureInfo.InvariantCulture)); break;
            // "R" keeps every bit, and writes NaN and infinities as names double.Parse reads back.
            case double d: text.Append(d.ToString("R", CultureInfo.InvariantCulture)); break;
            case Enum e: text.Append(e.ToString()); break;
            // logconfig_json: the rules the master read, so that no worker parses JSON.
            case Logging.LogLevelRules rules: AppendEscaped(text, rules.ToHandOff()); break;
            case IReadOnlyList<string> list:
                text.Append(list.Count.ToString(CultureInfo.InvariantCulture));
                foreach (var item in list)
                {
                    text.Append(',');
                    AppendEscaped(text, item);
                }
                break;
            default: throw new NotSupportedException($"{setting.Name}: values of type {value.GetType()} cannot be serialized");
        }
    }

    private static string[] ReadList(string text)
    {
        var parts = text.Split(',');
        int count = int.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture);
        if (count != parts.Length - 1)
            throw new FormatException($"a list of {count} holds {parts.Length - 1} elements");
        var items = new string[count];
        for (int i = 0; i < count; i++)
        {
            items[i] = Unescape(parts[i + 1]);
        }
        return items;
    }

    private static void AppendEscaped(StringBuilder text, string value)
    {
        foreach (char c in value)
        {
            if (c is '%' or ',' or '\n' or '\r' or '\0')
                text.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            else
                text.Append(c);
        }
    }

    private static string Unescape(string text)
    {
        int percent = text.IndexOf('%');
        if (percent < 0)
            return text;
        var value = new StringBuilder(text.Length);
        value.Append(text, 0, percent);
        for (int i = percent; i < text.Length; i++)
        {
            if (text[i] != '%')
            {
                value.Append(text[i]);
                continue;
            }
            if (i + 2 >= text.Length || !byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte code))
                throw new FormatException($"'{text}' has a % that is not followed by two hexadecimal digits");
            value.Append((char)code);
            i += 2;
        }
        return value.ToString();
    }
}
