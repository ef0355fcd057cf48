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
    }

    // The test binary lives under the artifacts path, which may be outside the checkout; the source path is not.
    private static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
}
