using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Tunicorn.Tests.Config;

/// <summary>
/// Registry depends on Config (it reads Settings and the declared service_register_conf keys), never the reverse. Config
/// may name the types of Tunicorn.Registry.Core, the assembly below both that the server and the client share.
/// </summary>
public sealed partial class ConfigDependencyTests
{
    [Fact]
    public void ConfigSources_UseNothingOfTheRegistryNamespace()
    {
        var configFolder = Path.Combine(RepositoryRoot(), "src", "Tunicorn", "Config");
        var offending = Directory.EnumerateFiles(configFolder, "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, number: index + 1)))
            .Where(l => !l.line.TrimStart().StartsWith("//", StringComparison.Ordinal) && UsesRegistryFolder(l.line))
            .Select(l => $"{Path.GetRelativePath(configFolder, l.file)}:{l.number}: {l.line.Trim()}")
            .ToList();

        Assert.True(Directory.EnumerateFiles(configFolder, "*.cs", SearchOption.AllDirectories).Count() > 20, "the Config folder was not found");
        Assert.Empty(offending);
    }

    private static bool UsesRegistryFolder(string line) =>
        RegistryUse().Matches(line).Any(m => !(m.Groups["type"].Success && SharedCoreTypes.Value.Contains(m.Groups["type"].Value)));

    // The types declared in src/Tunicorn.Registry.Core, which Config may name in full.
    private static readonly Lazy<HashSet<string>> SharedCoreTypes = new(() => Directory
        .EnumerateFiles(Path.Combine(RepositoryRoot(), "src", "Tunicorn.Registry.Core"), "*.cs")
        .SelectMany(File.ReadLines)
        .Select(line => TypeDeclaration().Match(line))
        .Where(m => m.Success)
        .Select(m => m.Groups["name"].Value)
        .ToHashSet(StringComparer.Ordinal));

    [GeneratedRegex(@"\b(?:class|struct|record|interface|enum)\s+(?<name>[A-Z]\w*)")]
    private static partial Regex TypeDeclaration();

    // "Tunicorn.Registry" anywhere, or "Registry.Type" as the namespace is reachable from Tunicorn.Config.
    [GeneratedRegex(@"Tunicorn\.Registry(?:\.(?<type>[A-Z]\w*))?\b|(?<![\w.])Registry\.[A-Z]")]
    private static partial Regex RegistryUse();

    private static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
}
