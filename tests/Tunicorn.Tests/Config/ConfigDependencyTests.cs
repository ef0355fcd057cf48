using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Tunicorn.Tests.Config;

/// <summary>Registry depends on Config (it reads Settings and the declared service_register_conf keys), never the reverse.</summary>
public sealed partial class ConfigDependencyTests
{
    [Fact]
    public void ConfigSources_UseNothingOfTheRegistryNamespace()
    {
        var configFolder = Path.Combine(RepositoryRoot(), "src", "Tunicorn", "Config");
        var offending = Directory.EnumerateFiles(configFolder, "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, number: index + 1)))
            .Where(l => !l.line.TrimStart().StartsWith("//", StringComparison.Ordinal) && RegistryUse().IsMatch(l.line))
            .Select(l => $"{Path.GetRelativePath(configFolder, l.file)}:{l.number}: {l.line.Trim()}")
            .ToList();

        Assert.True(Directory.EnumerateFiles(configFolder, "*.cs", SearchOption.AllDirectories).Count() > 20, "the Config folder was not found");
        Assert.Empty(offending);
    }

    // "Tunicorn.Registry" anywhere, or "Registry.Type" as the namespace is reachable from Tunicorn.Config.
    [GeneratedRegex(@"Tunicorn\.Registry\b|(?<![\w.])Registry\.[A-Z]")]
    private static partial Regex RegistryUse();

    private static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
}
