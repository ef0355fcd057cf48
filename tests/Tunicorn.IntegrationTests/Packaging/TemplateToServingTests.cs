using System.Text.Json;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Packaging;

/// <summary>
/// From nothing to serving, as a user would: in an empty folder whose only package sources are the local feed of this
/// commit's packages and the public source, `dotnet new tunicorn`, build, test; then the generated Dockerfile.cli's
/// steps (publish, `dotnet tool install --tool-path`, serve with the tool) with calls from Python and from a
/// `tunicorn-client` project; then the generated Dockerfile's steps (NativeAOT publish, serve master and workers);
/// then `systemd-analyze verify` of the generated units.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class TemplateToServingTests(ITestOutputHelper output)
{
    private const string PublicSource = "https://api.nuget.org/v3/index.json";

    [Fact]
    public async Task NewTunicornProject_FromTheLocalFeed_BuildsPassesItsTestsServesWithTheToolAndPublishesNativeAot()
    {
        string feed = await PackageFeed.DirectoryAsync();
        string version = PackageFeed.Version;
        string work = PackageFeed.NewFolder("user");
        string hive = PackageFeed.NewFolder("template-hive");
        string packages = PackageFeed.NewFolder("packages");
        await File.WriteAllTextAsync(Path.Combine(work, "nuget.config"), NuGetConfig(feed));
        // Our packages come from the feed into a cache of this test's own; everything else from the machine's cache.
        var env = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = packages };
        AssertMachineCacheHasNoTunicornPackages(version);

        // The template, from the package file of the feed; a hive of its own keeps the user's templates untouched.
        await Dotnet(["new", "install", PackageFeed.PackagePath(feed, "Tunicorn.Templates"), "--debug:custom-hive", hive], work, env);
        await Dotnet(["new", "tunicorn", "-n", "Acme.Orders", "--debug:custom-hive", hive], work, env);
        string solution = Path.Combine(work, "Acme.Orders");
        string project = Path.Combine(solution, "src", "Acme.Orders");
        Assert.True(File.Exists(Path.Combine(project, "Acme.Orders.thrift")));
        Assert.True(File.Exists(Path.Combine(project, "tunicorn.toml")));
        Assert.True(File.Exists(Path.Combine(solution, "README.md")));
        Assert.Contains($"Version=\"{version}\"", await File.ReadAllTextAsync(Path.Combine(project, "Acme.Orders.csproj")));

        await Dotnet(["build", "-c", "Release"], solution, env);
        string tested = await Dotnet(["test", "-c", "Release", "--no-build"], solution, env);
        Assert.Matches(@"Passed!\s+-\s+Failed:\s+0,\s+Passed:\s+1\b", tested);

        // Dockerfile.cli, step by step: publish the library, install the tool from the feed into a tool path, serve with
        // the tool. Python calls it, and so does a project of the client template.
        var cli = DockerfileSteps.Parse(Path.Combine(solution, "Dockerfile.cli"));
        AssertContainerShape(cli, "mcr.microsoft.com/dotnet/runtime:");
        string cliImage = PackageFeed.NewFolder("cli-image");
        var cliPaths = ContainerPaths(solution, cliImage);
        await RunBuildStageAsync(cli.Stages[0], cliPaths, env);
        Assert.True(File.Exists(Path.Combine(cliImage, "tools", "tunicorn")), "the tool was not installed into the tool path");
        int port = FreePort.Next();
        await using (var server = StartContainerCommand(cli, cliPaths, port))
        {
            await server.WaitForReadyAsync(WorkersOf(cli), TimeSpan.FromSeconds(60));
            await AssertPythonClientPassesAsync(Path.Combine(project, "Acme.Orders.thrift"), port);

            await Dotnet(["new", "tunicorn-client", "-n", "Acme.Orders.Client", "--debug:custom-hive", hive], work, env);
            string client = Path.Combine(work, "Acme.Orders.Client");
            await Dotnet(["build", "-c", "Release"], client, env);
            string called = await DotnetCommand.RunAsync(Path.Combine(client, "bin", "Release", "net10.0", "Acme.Orders.Client"),
                [$"127.0.0.1:{port}"], client, timeout: TimeSpan.FromSeconds(60));
            Assert.Contains("add(1, 2) = 3", called);
            Assert.Contains("Hello, Tunicorn!", called);

            Assert.Equal(0, await server.StopAsync());
        }

        // Dockerfile, step by step: the same project published with NativeAOT is one executable, master and workers.
        var aot = DockerfileSteps.Parse(Path.Combine(solution, "Dockerfile"));
        AssertContainerShape(aot, "mcr.microsoft.com/dotnet/runtime-deps:");
        string aotImage = PackageFeed.NewFolder("aot-image");
        var aotPaths = ContainerPaths(solution, aotImage);
        await RunBuildStageAsync(aot.Stages[0], aotPaths, env);
        string native = Path.Combine(aotImage, "app", "Acme.Orders");
        port = FreePort.Next();
        await using (var server = StartContainerCommand(aot, aotPaths, port))
        {
            var workers = await server.WaitForReadyAsync(WorkersOf(aot), TimeSpan.FromSeconds(60));
            foreach (int pid in workers.Prepend(server.MasterPid))
            {
                Assert.Equal(native, new FileInfo($"/proc/{pid}/exe").LinkTarget);
                Assert.DoesNotContain("libcoreclr.so", File.ReadAllText($"/proc/{pid}/maps"), StringComparison.Ordinal);
            }
            await AssertPythonClientPassesAsync(Path.Combine(project, "Acme.Orders.thrift"), port);
            Assert.Equal(0, await server.StopAsync());
        }

        // The systemd units, with their /opt paths pointing at what the steps above installed.
        var installed = new Dictionary<string, string>
        {
            ["/opt/Acme.Orders"] = Path.Combine(aotImage, "app"),
            ["/opt/tunicorn"] = Path.Combine(cliImage, "tools"),
        };
        foreach (string unit in Directory.EnumerateFiles(Path.Combine(solution, "deploy"), "*.service"))
            await AssertSystemdUnitVerifiesAsync(unit, installed);
    }

    /// <summary>The container paths the Dockerfiles use, each a folder of this test ("/src" is the build context).</summary>
    private static Dictionary<string, string> ContainerPaths(string context, string image) => new()
    {
        ["/src"] = context,
        ["/app"] = Path.Combine(image, "app"),
        ["/tools"] = Path.Combine(image, "tools"),
    };

    /// <summary>Multi-stage, a non-root user, an exec-form entry point, the small base image named.</summary>
    private static void AssertContainerShape(DockerfileSteps dockerfile, string finalBase)
    {
        Assert.True(dockerfile.Stages.Count >= 2, "not a multi-stage build");
        Assert.StartsWith(finalBase, dockerfile.Final.Image);
        string? user = dockerfile.Final.Last("USER");
        Assert.False(user is null or "root" or "0" or "0:0", $"the final stage runs as '{user ?? "root"}'");
        Assert.NotNull(dockerfile.Final.ExecForm("ENTRYPOINT"));
        foreach (string copy in dockerfile.Final.All("COPY"))
            Assert.StartsWith("--from=" + dockerfile.Stages[0].Name, copy);
    }

    /// <summary>Runs the build stage's dotnet steps where its WORKDIR maps to; apt-get steps are the machine's already.</summary>
    private async Task RunBuildStageAsync(DockerfileSteps.Stage stage, IReadOnlyDictionary<string, string> paths,
        IReadOnlyDictionary<string, string?> env)
    {
        string directory = paths["/src"];
        foreach (var (instruction, argument) in stage.Instructions)
        {
            switch (instruction)
            {
                case "WORKDIR":
                    directory = DockerfileSteps.Map(argument, paths);
                    break;
                case "COPY":
                    Assert.Equal(". .", argument);
                    break;
                case "RUN" when argument.StartsWith("apt-get ", StringComparison.Ordinal):
                    break;
                case "RUN":
                    Assert.StartsWith("dotnet ", argument);
                    string command = DockerfileSteps.Map(argument, paths);
                    output.WriteLine($"$ {command}   (in {directory})");
                    await DotnetCommand.RunAsync("/bin/sh", ["-c", command], directory, env);
                    break;
                default:
                    throw new InvalidOperationException($"the test does not know how to run {instruction} {argument}");
            }
        }
    }

    /// <summary>ENTRYPOINT plus CMD of the final stage, on a loopback port of the test instead of 0.0.0.0:9090.</summary>
    /// <summary>The worker count the image's CMD asks for (-w N), else the template's tunicorn.toml's 2.</summary>
    private static int WorkersOf(DockerfileSteps dockerfile)
    {
        string[] cmd = dockerfile.Final.ExecForm("CMD") ?? [];
        int at = Array.FindIndex(cmd, a => a is "-w" or "--workers");
        return at >= 0 && at + 1 < cmd.Length ? int.Parse(cmd[at + 1], System.Globalization.CultureInfo.InvariantCulture) : 2;
    }

    private TunicornServer StartContainerCommand(DockerfileSteps dockerfile, IReadOnlyDictionary<string, string> paths, int port)
    {
        string[] command = [.. dockerfile.Final.ExecForm("ENTRYPOINT")!, .. dockerfile.Final.ExecForm("CMD") ?? []];
        Assert.Contains("0.0.0.0:9090", command);
        string[] mapped = command.Select(a => a == "0.0.0.0:9090" ? $"127.0.0.1:{port}" : DockerfileSteps.Map(a, paths)).ToArray();
        string workdir = DockerfileSteps.Map(dockerfile.Final.Last("WORKDIR") ?? "/", paths);
        // Every file the final stage copies from the build stage is there.
        foreach (string copy in dockerfile.Final.All("COPY"))
        {
            string[] parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (string source in parts[1..^1])
            {
                string local = DockerfileSteps.Map(source, paths);
                Assert.True(File.Exists(local) || Directory.Exists(local), $"COPY {copy}: {local} was not built");
            }
        }
        return TunicornServer.StartExecutable(mapped[0], mapped[1..], output, workingDirectory: workdir);
    }

    private async Task AssertSystemdUnitVerifiesAsync(string unit, IReadOnlyDictionary<string, string> installed)
    {
        string folder = PackageFeed.NewFolder("systemd");
        string copy = Path.Combine(folder, Path.GetFileName(unit));
        await File.WriteAllTextAsync(copy, DockerfileSteps.Map(await File.ReadAllTextAsync(unit), installed));
        await using var verify = ManagedProcess.Start("systemd-analyze", ["verify", copy], workingDirectory: folder);
        int code = await verify.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 0 && verify.Stderr.Count == 0 && verify.Stdout.Count == 0,
            $"systemd-analyze verify {Path.GetFileName(unit)}: {verify.DescribeOutput()}");
    }

    private Task<string> Dotnet(string[] arguments, string directory, IReadOnlyDictionary<string, string?> env)
    {
        output.WriteLine($"$ dotnet {string.Join(' ', arguments)}   (in {directory})");
        return DotnetCommand.RunAsync("dotnet", arguments, directory, env);
    }

    /// <summary>Only the feed and the public source: no other source of the machine or the user is consulted.</summary>
    private static string NuGetConfig(string feed) =>
        $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="local-feed" value="{feed}" />
            <add key="nuget.org" value="{PublicSource}" />
          </packageSources>
          <fallbackPackageFolders>
            <clear />
            <add key="machine" value="{DotnetCommand.MachinePackages}" />
          </fallbackPackageFolders>
        </configuration>
        """;

    /// <summary>A Tunicorn package of this version in the machine's cache would be used instead of the feed's.</summary>
    private static void AssertMachineCacheHasNoTunicornPackages(string version)
    {
        foreach (string id in PackageFeed.ExpectedPackages)
        {
            string cached = Path.Combine(DotnetCommand.MachinePackages, id.ToLowerInvariant(), version);
            Assert.False(Directory.Exists(cached),
                $"{cached} is in the machine's package cache and would shadow the package under test: remove it (rm -r '{cached}').");
        }
    }

    private static async Task AssertPythonClientPassesAsync(string idl, int port)
    {
        string generated = PackageFeed.NewFolder("gen-py");
        await DotnetCommand.RunAsync("thrift", ["--gen", "py", "-out", generated, idl], generated, timeout: TimeSpan.FromSeconds(60));
        var environment = new Dictionary<string, string?>
        {
            ["PYTHONPATH"] = $"{generated}:{RepoPaths.PythonClients}",
            ["PYTHONDONTWRITEBYTECODE"] = "1",
        };
        await using var python = ManagedProcess.Start(PythonClient.Interpreter,
            [Path.Combine(RepoPaths.PythonClients, "example_service_client.py"), .. PythonClient.Tcp(port)], environment, generated);
        int code = await python.WaitForExitAsync(TimeSpan.FromSeconds(60));
        string stdout = string.Join('\n', python.Stdout.Snapshot());
        Assert.True(code == 0, $"example_service_client.py failed with {code}: {python.DescribeOutput()}");
        using var result = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        Assert.True(result.RootElement.GetProperty("ok").GetBoolean(), stdout);
    }
}
