using System.Text;

namespace Tunicorn.Config;

/// <summary>
/// Renders the keys of service_register_conf (<see cref="RegistryConfKeys"/>) as the table of docs/registry.md, between
/// two marker lines, so that the rest of that page stays hand-written. A unit test fails when the file's table differs;
/// scripts/gen-settings-doc.sh rewrites it.
/// </summary>
internal static class TableKeysDocument
{
    /// <summary>The page holding the table, relative to the repository root.</summary>
    public const string RegistryPath = "docs/registry.md";

    public const string BeginMarker = "<!-- Generated from src/Tunicorn/Config/Settings/RegistryConf.cs — do not edit down to the end marker. Regenerate with scripts/gen-settings-doc.sh. -->";

    public const string EndMarker = "<!-- End of the generated keys. -->";

    /// <summary>The markers and the table between them.</summary>
    public static string Render(IReadOnlyList<TableKey> keys)
    {
        var text = new StringBuilder()
            .Append(BeginMarker).Append('\n')
            .Append("| key | value | default | meaning |\n")
            .Append("| --- | --- | --- | --- |\n");
        foreach (var key in keys)
        {
            text.Append("| ").Append(KeyNames(key))
                .Append(" | ").Append(key.TypeDescription)
                .Append(" | ").Append(key.DefaultText)
                .Append(" | ").Append(OneLine(key.Description))
                .Append(" |\n");
        }
        return text.Append(EndMarker).Append('\n').ToString();
    }

    /// <summary><paramref name="page"/> with the text from the begin marker to the end marker replaced by <see cref="Render"/>.</summary>
    /// <exception cref="FormatException">The page lacks a marker.</exception>
    public static string Splice(string page, IReadOnlyList<TableKey> keys)
    {
        int begin = page.IndexOf(BeginMarker, StringComparison.Ordinal);
        int end = begin < 0 ? -1 : page.IndexOf(EndMarker, begin, StringComparison.Ordinal);
        if (end < 0)
            throw new FormatException($"the page has no '{BeginMarker}' line followed by a '{EndMarker}' line");
        int afterEnd = page.IndexOf('\n', end) is var newline and >= 0 ? newline + 1 : page.Length;
        return page[..begin] + Render(keys) + page[afterEnd..];
    }

    /// <summary>"`path` (or `prefix`)".</summary>
    public static string KeyNames(TableKey key) =>
        $"`{key.Name}`" + (key.Aliases.Count == 0 ? "" : $" (or {string.Join(", ", key.Aliases.Select(a => $"`{a}`"))})");

    private static string OneLine(string description) =>
        string.Join(" ", description.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
}
