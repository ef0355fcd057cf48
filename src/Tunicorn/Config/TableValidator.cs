using System.Text.Json;

namespace Tunicorn.Config;

/// <summary>
/// Turns one JSON value of a table (a key of service_register_conf) into its typed value, or rejects it with a
/// <see cref="FormatException"/> whose reason names the key as written; and writes a value back for the docs.
/// </summary>
/// <remarks>Instances come from <see cref="TableValidators"/>.</remarks>
internal sealed class TableValidator<T>
{
    private readonly Func<string, JsonElement, T> _parse;
    private readonly Func<T, string> _format;

    internal TableValidator(string type, Func<string, JsonElement, T> parse, Func<T, string> format)
    {
        Type = type;
        _parse = parse;
        _format = format;
    }

    /// <summary>What a value must be, for the docs.</summary>
    public string Type { get; }

    /// <summary>Validates and converts the value of the key written as <paramref name="key"/>. Throws <see cref="FormatException"/>.</summary>
    public T Parse(string key, JsonElement value) => _parse(key, value);

    /// <summary>The value as the docs show it (TOML's form: <c>10</c>, <c>tunicorn</c>).</summary>
    public string Format(T value) => _format(value);

    /// <summary>This validator, then <paramref name="allowed"/>; a value it refuses is rejected with <paramref name="reason"/>(key, value).</summary>
    public TableValidator<T> Must(Func<T, bool> allowed, Func<string, T, string> reason, string type) =>
        new(type, (key, element) => _parse(key, element) is var value && allowed(value) ? value : throw new FormatException(reason(key, value)), _format);
}
