using System.Globalization;
using System.Text.Json;

namespace Tunicorn.Config;

/// <summary>The validators of table keys: small, named, each rejecting with one reason that names the key.</summary>
internal static class TableValidators
{
    public static readonly TableValidator<string> NonEmptyString = new(
        "string",
        (key, value) => value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new FormatException($"has a {key} that is not a non-empty string"),
        text => text);

    /// <summary>A comma-separated string or an array of strings, neither empty.</summary>
    public static readonly TableValidator<IReadOnlyList<string>> StringList = new(
        "string (comma-separated) or array of strings",
        (key, value) =>
        {
            IReadOnlyList<string> items = value.ValueKind switch
            {
                JsonValueKind.Array when value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String && item.GetString()!.Length > 0) =>
                    [.. value.EnumerateArray().Select(item => item.GetString()!)],
                JsonValueKind.String => [.. value.GetString()!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
                _ => throw new FormatException($"has {key} that are neither a string nor an array of strings"),
            };
            return items.Count > 0 ? items : throw new FormatException($"has empty {key}");
        },
        items => string.Join(",", items));

    public static readonly TableValidator<int> NonNegativeInt = new(
        "integer, 0 or more",
        (key, value) => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= 0
            ? number
            : throw new FormatException($"has a {key} that is not an integer 0 or more"),
        number => number.ToString(CultureInfo.InvariantCulture));

    /// <summary>A JSON object, kept as it is (cloned: the document it came from is disposed).</summary>
    public static readonly TableValidator<JsonElement?> Table = new(
        "table",
        (key, value) => value.ValueKind == JsonValueKind.Object ? value.Clone() : throw new FormatException($"has {key} that is not a table"),
        table => table?.GetRawText() ?? "");

    /// <summary>A number of seconds (a number, or a string holding one) from <paramref name="minimum"/> to an hour.</summary>
    public static TableValidator<TimeSpan> Seconds(double minimum)
    {
        const double Maximum = 3600;
        var range = $"{minimum.ToString(CultureInfo.InvariantCulture)} to {Maximum.ToString(CultureInfo.InvariantCulture)}";
        return new(
            $"seconds, {range}",
            (key, value) =>
            {
                double seconds = value.ValueKind switch
                {
                    JsonValueKind.Number => value.GetDouble(),
                    JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                    _ => double.NaN,
                };
                return double.IsFinite(seconds) && seconds >= minimum && seconds <= Maximum
                    ? TimeSpan.FromSeconds(seconds)
                    : throw new FormatException($"has a {key} that is not a number of seconds from {range}");
            },
            span => span.TotalSeconds.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>One of <paramref name="names"/>, in any case; the value is the name in lower case.</summary>
    public static TableValidator<string> Choice(params string[] names)
    {
        var allowed = string.Join(", ", names);
        return new(
            string.Join(" or ", names),
            (key, value) => NonEmptyString.Parse(key, value).ToLowerInvariant() is var name && names.Contains(name)
                ? name
                : throw new FormatException($"has {key} '{name}' (allowed: {allowed})"),
            name => name);
    }
}
