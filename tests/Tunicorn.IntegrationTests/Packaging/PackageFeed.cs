using System.Globalization;
using Tunicorn.IntegrationTests.Harness;

namespace Tunicorn.IntegrationTests.Packaging;

/// <summary>
/// Every package of this commit, packed once per test run by scripts/pack.sh into a temporary local feed, from the
/// suite's own build output (artifacts/: the libraries are built already, so packing is mostly the tool's
/// ReadyToRun publish and zipping).
/// </summary>
internal static class PackageFeed
{
    /// <summary>The version Directory.Build.props gives (scripts/pack.sh passes no override).</summary>
    public static string Version => VersionLazy.Value;

    private static readonly Lazy<Task<string>> Packed = new(() => PackAsync(RepoPaths.Artifacts, "feed"));
    private static readonly Lazy<string> VersionLazy = new(ReadVersion);
    private static readonly Lazy<string> Root = new(CreateRoot);

    /// <summary>The packages every test here uses.</summary>
    public static readonly string[] ExpectedPackages =
    [
        "Tunicorn", "Tunicorn.Client", "Tunicorn.Client.DependencyInjection", "Tunicorn.ZooKeeper", "Tunicorn.Cli", "Tunicorn.Cli.linux-x64", "Tunicorn.Templates",
    ];

    /// <summary>The folder holding the .nupkg and .snupkg files (packed on first use).</summary>
    public static Task<string> DirectoryAsync() => Packed.Value;

    /// <summary>A folder of this run's packaging tests, removed when the test process exits.</summary>
    public static string NewFolder(string name)
    {
        string path = Path.Combine(Root.Value, $"{name}-{Guid.NewGuid().ToString("N")[..6]}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Packs everything with scripts/pack.sh, building in <paramref name="artifactsPath"/>.</summary>
    public static async Task<string> PackAsync(string artifactsPath, string name)
    {
        string feed = NewFolder(name);
        await DotnetCommand.RunAsync("/bin/bash", [Path.Combine(RepoPaths.Root, "scripts", "pack.sh"), feed], RepoPaths.Root,
            new Dictionary<string, string?> { ["ARTIFACTS_PATH"] = artifactsPath }).ConfigureAwait(false);
        return feed;
    }

    public static string PackagePath(string feed, string id, string extension = "nupkg") =>
        Path.Combine(feed, $"{id}.{Version}.{extension}");

    private static string CreateRoot()
    {
        string root = Path.Combine(Path.GetTempPath(), "tunicorn-it", $"packaging-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}");
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
        return root;
    }

    private static string ReadVersion()
    {
        var props = System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Build.props"));
        return props.Descendants("VersionPrefix").Single().Value.Trim();
    }
}
