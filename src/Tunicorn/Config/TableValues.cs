using System.Text.Json;

namespace Tunicorn.Config;

/// <summary>The values of one table-valued setting, read key by key by the key declarations (<see cref="TableKey"/>).</summary>
internal sealed class TableValues
{
    private readonly Dictionary<TableKey, object?> _values;

    private TableValues(Dictionary<TableKey, object?> values)
    {
        _values = values;
    }

    /// <summary>The value the table gives <paramref name="key"/>, or its default.</summary>
    public T? Get<T>(TableKey<T> key) => _values.TryGetValue(key, out var value) ? (T?)value : key.Default;

    /// <summary>
    /// Reads the canonical JSON of a table (null or empty: every default) with the declared <paramref name="keys"/>.
    /// Throws <see cref="FormatException"/> with a reason that continues "'VALUE' …".
    /// </summary>
    public static TableValues Parse(string? json, IReadOnlyList<TableKey> keys)
    {
        var values = new Dictionary<TableKey, object?>();
        if (string.IsNullOrWhiteSpace(json))
            return new TableValues(values);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new FormatException("is not a table");

        var writtenAs = new Dictionary<TableKey, string>();
        foreach (var property in root.EnumerateObject())
        {
            var key = keys.FirstOrDefault(k => k.Names.Contains(property.Name))
                ?? throw new FormatException($"has the unknown key '{property.Name}' (allowed: {string.Join(", ", keys.SelectMany(k => k.Names))})");
            if (writtenAs.TryGetValue(key, out var earlier) && earlier != property.Name)
                throw new FormatException($"has both {earlier} and {property.Name} (they are the same key: give one)");
            writtenAs[key] = property.Name;
            values[key] = key.Parse(property.Name, property.Value);
        }
        return new TableValues(values);
    }
}
