using System.IO.Compression;
using System.Xml.Linq;
using Xunit;

namespace Tunicorn.IntegrationTests.Packaging;

/// <summary>What `scripts/pack.sh` puts in the packages, and that packing the same commit twice gives the same bytes.</summary>
[Collection(PackagingCollection.Name)]
public sealed class PackageContentsTests
{
    [Fact]
    public async Task Pack_TwiceFromOneCommitIntoAnotherBuildFolder_GivesByteIdenticalPackages()
    {
        string first = await PackageFeed.DirectoryAsync();
        // The second pack compiles everything again from scratch, in a build folder of its own.
        string second = await PackageFeed.PackAsync(PackageFeed.NewFolder("artifacts"), "feed-again");

        var firstFiles = PackageFiles(first);
        Assert.Equal(firstFiles.Keys.Order(), PackageFiles(second).Keys.Order());
        foreach (string id in PackageFeed.ExpectedPackages)
            Assert.Contains($"{id}.{PackageFeed.Version}.nupkg", firstFiles.Keys);
        foreach (var (name, path) in firstFiles)
        {
            byte[] a = await File.ReadAllBytesAsync(path);
            byte[] b = await File.ReadAllBytesAsync(Path.Combine(second, name));
            Assert.True(a.AsSpan().SequenceEqual(b), $"{name} differs between two packs of one commit ({a.Length} and {b.Length} bytes)");
        }
    }

    [Theory]
    [InlineData("Tunicorn")]
    [InlineData("Tunicorn.Client")]
    [InlineData("Tunicorn.Client.DependencyInjection")]
    [InlineData("Tunicorn.ZooKeeper")]
    [InlineData("Tunicorn.Registry.Core")]
    public async Task LibraryPackage_CarriesReadmeLicenseRepositoryDocsAndSymbols(string id)
    {
        string feed = await PackageFeed.DirectoryAsync();
        using var package = ZipFile.OpenRead(PackageFeed.PackagePath(feed, id));
        var metadata = Nuspec(package, id);

        Assert.Equal("README.md", Value(metadata, "readme"));
        Assert.Equal("Apache-2.0", Value(metadata, "license"));
        Assert.Equal("expression", metadata.Elements().Single(e => e.Name.LocalName == "license").Attribute("type")?.Value);
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.StartsWith("https://", repository.Attribute("url")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");
        Assert.Equal(PackageFeed.Version, Value(metadata, "version"));

        Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.dll"));
        var docs = package.GetEntry($"lib/net10.0/{id}.xml");
        Assert.NotNull(docs);
        using (var reader = new StreamReader(docs.Open()))
            Assert.Contains("<member name=", await reader.ReadToEndAsync());

        // The README renders the essentials: what it is, an example, links to the docs.
        string readme = await ReadEntryAsync(package, "README.md");
        Assert.StartsWith($"# {id}", readme);
        Assert.Contains("## Example", readme);
        Assert.Contains("```", readme);
        Assert.Matches(@"\]\(https://[^)]+\)", readme);

        using var symbols = ZipFile.OpenRead(PackageFeed.PackagePath(feed, id, "snupkg"));
        Assert.NotNull(symbols.GetEntry($"lib/net10.0/{id}.pdb"));
    }

    [Fact]
    public async Task TunicornPackage_CarriesTheThriftCodeGenerationAsBuildTransitive()
    {
        string feed = await PackageFeed.DirectoryAsync();
        using var package = ZipFile.OpenRead(PackageFeed.PackagePath(feed, "Tunicorn"));
        string targets = await ReadEntryAsync(package, "buildTransitive/Tunicorn.targets");
        Assert.Contains("ThriftIdl", targets);
        Assert.NotNull(package.GetEntry("buildTransitive/thrift-gen.sh"));
    }

    [Fact]
    public async Task ToolPackage_IsTheTunicornCommand_ReadyToRunCompiled()
    {
        string feed = await PackageFeed.DirectoryAsync();
        using var package = ZipFile.OpenRead(PackageFeed.PackagePath(feed, "Tunicorn.Cli.linux-x64"));
        string settings = await ReadEntryAsync(package, "tools/net10.0/linux-x64/DotnetToolSettings.xml");
        var command = XDocument.Parse(settings).Descendants().Single(e => e.Name.LocalName == "Command");
        Assert.Equal("tunicorn", command.Attribute("Name")?.Value);

        // ReadyToRun code lives in a managed PE's ManagedNativeHeader; IL-only assemblies have none.
        var entry = package.GetEntry("tools/net10.0/linux-x64/Tunicorn.dll");
        Assert.NotNull(entry);
        using var copy = new MemoryStream();
        await using (var stream = entry.Open())
            await stream.CopyToAsync(copy);
        copy.Position = 0;
        using var pe = new System.Reflection.PortableExecutable.PEReader(copy);
        Assert.True(pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0, "Tunicorn.dll in the tool package is not ReadyToRun-compiled");
    }

    private static Dictionary<string, string> PackageFiles(string feed) =>
        Directory.EnumerateFiles(feed).Where(f => f.EndsWith(".nupkg", StringComparison.Ordinal) || f.EndsWith(".snupkg", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetFileName(f)!, f => f);

    private static XElement Nuspec(ZipArchive package, string id)
    {
        var entry = package.GetEntry($"{id}.nuspec") ?? throw new InvalidOperationException($"{id}.nuspec missing");
        using var stream = entry.Open();
        return XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string? Value(XElement metadata, string name) =>
        metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

    private static async Task<string> ReadEntryAsync(ZipArchive package, string name)
    {
        var entry = package.GetEntry(name) ?? throw new InvalidOperationException($"{name} missing from the package");
        using var reader = new StreamReader(entry.Open());
        return await reader.ReadToEndAsync();
    }
}
