using System.Runtime.CompilerServices;
using Tunicorn.Config;

namespace Tunicorn.Tests.Config;

public sealed class SettingsDocumentTests
{
    /// <summary>Set to 1 to rewrite docs/settings.md instead of failing (scripts/gen-settings-doc.sh does).</summary>
    private const string UpdateVariable = "TUNICORN_UPDATE_DOCS";

    [Fact]
    public void SettingsMarkdown_IsUpToDateWithTheTable()
    {
        var path = Path.Combine(RepositoryRoot(), SettingsDocument.RelativePath);
        var rendered = SettingsDocument.Render();
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, rendered);
        }

        var current = File.Exists(path) ? File.ReadAllText(path) : "";

        Assert.True(
            current == rendered,
            $"{SettingsDocument.RelativePath} is stale. Regenerate it with scripts/gen-settings-doc.sh " +
            $"(or {UpdateVariable}=1 dotnet test tests/Tunicorn.Tests --filter {nameof(SettingsMarkdown_IsUpToDateWithTheTable)}).");
    }

    [Fact]
    public void RegistryMarkdown_KeysTable_IsUpToDateWithTheDeclarations()
    {
        var path = Path.Combine(RepositoryRoot(), TableKeysDocument.RegistryPath);
        var current = File.ReadAllText(path);
        var rendered = TableKeysDocument.Splice(current, RegistryConfKeys.All);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, rendered);
            current = rendered;
        }

        Assert.True(
            current == rendered,
            $"The service_register_conf keys in {TableKeysDocument.RegistryPath} are stale. Regenerate them with scripts/gen-settings-doc.sh.");
    }

    [Fact]
    public void RenderKeys_DescribesEveryKeyWithItsAliasesAndDefault()
    {
        var text = TableKeysDocument.Render(RegistryConfKeys.All);

        Assert.StartsWith(TableKeysDocument.BeginMarker + "\n", text);
        Assert.EndsWith(TableKeysDocument.EndMarker + "\n", text);
        Assert.Equal(RegistryConfKeys.All.Count + 4, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("| `path` (or `prefix`) | string starting with `/` | `/tunicorn/services/SERVICE` |", text);
        Assert.Contains("| `timeout` | seconds, 1 to 3600 | `10` |", text);
        Assert.Contains("| `deregister_delay` | seconds, 0 to 3600 | `0.5` |", text);
        Assert.Contains("| `auth` | `user:password` | none |", text);
    }

    [Fact]
    public void Splice_KeepsTheHandWrittenTextAroundTheMarkers()
    {
        var page = $"before\n{TableKeysDocument.BeginMarker}\nold table\n{TableKeysDocument.EndMarker}\nafter\n";

        var spliced = TableKeysDocument.Splice(page, RegistryConfKeys.All);

        Assert.Equal("before\n" + TableKeysDocument.Render(RegistryConfKeys.All) + "after\n", spliced);
        Assert.Throws<FormatException>(() => TableKeysDocument.Splice("no markers\n", RegistryConfKeys.All));
    }

    [Fact]
    public void Render_DescribesEverySetting()
    {
        var text = SettingsDocument.Render();

        Assert.StartsWith("<!-- Generated from src/Tunicorn/Config/Settings — do not edit", text);
        foreach (var setting in SettingRegistry.All)
        {
            Assert.Contains($"### `{setting.Name}`", text);
        }
        Assert.Contains("- Default: `[\"127.0.0.1:9090\"]`", text);
        Assert.Contains("`-w INT`, `--workers INT`", text);
        Assert.Contains("- Keys: `hosts`, `path` (or `prefix`), `service`,", text);
    }

    [Fact]
    public void Unwrap_SetsATableInADescriptionApartFromTheTextAroundIt()
    {
        var text = SettingsDocument.Unwrap("""
            Summary.
            Before the table.
            | a | b |
            | --- | --- |
            | 1 | 2 |
            After the table.
            """);

        Assert.Equal("Summary.\n\nBefore the table.\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\nAfter the table.", text);
        Assert.Equal("Summary.\n\nOne\ntwo.", SettingsDocument.Unwrap("Summary.\nOne\ntwo."));
    }

    [Fact]
    public void Render_WorkerClass_HasTheTableOfTheThreeClasses()
    {
        var text = SettingsDocument.Render();

        Assert.Contains("\n\n| class | calls at once per worker | connections per worker | a handler that blocks |\n", text);
        Assert.Contains("\n| sync | 1: a handler never runs concurrently with itself in one worker |", text);
    }

    // The test binary lives under the artifacts path, which may be outside the checkout; the source path is not.
    private static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
}
