using Tunicorn.IntegrationTests.Harness;
using Xunit;

namespace Tunicorn.IntegrationTests.Packaging;

/// <summary>
/// build/Thrift.targets (the Tunicorn package's buildTransitive/Tunicorn.targets) fails a build with a message a user
/// can act on: the package to install when the compiler is missing, the compiler's words at the file and line of an
/// invalid IDL.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class ThriftTargetsTests
{
    [Fact]
    public async Task InvalidIdl_FailsTheBuildWithTheCompilersMessageAtTheFileAndLine()
    {
        string project = await WriteProjectAsync("service Broken {\n  void ping()\n  i32 add(1: i32 a, 2: i32 b\n}\n");

        string output = await BuildFailingAsync(project);

        string idl = Path.Combine(project, "broken.thrift");
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(idl)}\(4\): error THRIFT: syntax error \(last token was '\}}'\)", output);
    }

    [Fact]
    public async Task MissingCompiler_FailsTheBuildNamingTheDebianPackage()
    {
        string project = await WriteProjectAsync("service Fine {\n  void ping()\n}\n");

        string output = await BuildFailingAsync(project, "-p:ThriftCompiler=no-such-thrift-compiler");

        Assert.Contains("error TUNICORN1001: The Thrift compiler 'no-such-thrift-compiler' was not found", output);
        Assert.Contains("sudo apt-get install thrift-compiler", output);
    }

    private static async Task<string> WriteProjectAsync(string idl)
    {
        string folder = PackageFeed.NewFolder("thrift-targets");
        await File.WriteAllTextAsync(Path.Combine(folder, "broken.thrift"), idl);
        string targets = Path.Combine(RepoPaths.Root, "build", "Thrift.targets");
        await File.WriteAllTextAsync(Path.Combine(folder, "Probe.csproj"),
            $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <ItemGroup><ThriftIdl Include="broken.thrift" /></ItemGroup>
              <Import Project="{targets}" />
            </Project>
            """);
        return folder;
    }

    private static async Task<string> BuildFailingAsync(string project, params string[] extra)
    {
        var (code, output, _) = await DotnetCommand.RunToEndAsync("dotnet", ["build", "-nologo", "-v", "minimal", .. extra], project);
        Assert.True(code != 0, $"the build passed:\n{output}");
        return output;
    }
}
