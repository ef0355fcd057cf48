using System.Text.Json;

namespace Tunicorn.Config;

/// <summary>
/// One key of a setting whose value is a table (service_register_conf): everything its parser and its docs need.
/// Declared once, as a <c>static readonly TableKey&lt;T&gt;</c> field of a partial class such as <see cref="RegistryConfKeys"/>;
/// Tunicorn.Generators lists the fields of that class in its <c>All</c>.
/// </summary>
internal abstract class TableKey
{
    private protected TableKey(string name)
    {
        Name = name;
    }

    /// <summary>The snake_case key, as written in the table.</summary>
    public string Name { get; }

    /// <summary>Other names of the same key (prefix for path); a table may give only one of them.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>What the key does, for the docs; one paragraph.</summary>
    public required string Description { get; init; }

    /// <summary>The docs' default when the declared one does not tell it (a backend's own default); null shows the declared one.</summary>
    public string? DefaultDescription { get; init; }

    /// <summary>The name and then the aliases.</summary>
    public IReadOnlyList<string> Names => [Name, .. Aliases];

    /// <summary>What a value must be, for the docs: "seconds, 1 to 3600".</summary>
    public abstract string TypeDescription { get; }

    /// <summary>The default as the docs show it: <see cref="DefaultDescription"/>, the declared default in backquotes, or "none".</summary>
    public abstract string DefaultText { get; }

    /// <summary>Checks and converts the value given as <paramref name="writtenName"/> (the name or an alias).</summary>
    /// <exception cref="FormatException">A reason that continues "'TABLE' …": "has a timeout that is not …".</exception>
    public abstract object? Parse(string writtenName, JsonElement value);

    public override string ToString() => Name;
}
