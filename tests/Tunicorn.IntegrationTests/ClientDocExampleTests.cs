using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Tunicorn.IntegrationTests.Registry;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// docs/client.md's complete example is the code of ClientExample/, which these tests compile and run: against a
/// Calculator registered in a real etcd with the doc's appsettings.json (only the etcd address changed), and with no
/// server reachable. Each file the doc shows is checked to be the file itself.
/// </summary>
public sealed partial class ClientDocExampleTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestDirectory _directory = new("client-doc");

    [Fact]
    public async Task Example_WithTheDocsAppSettings_SumsThroughACalculatorRegisteredInEtcd()
    {
        await using var etcd = await EtcdServer.CreateAsync(output);
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, 1,
            ["--service-register-cls", "etcd", "--service-register-conf", $$"""{"hosts": "{{etcd.Endpoint}}", "service": "Calculator"}"""], output);
        // Registered: the master's entry is in etcd (the example fails fast after WaitForServers, 2 s, when no server is).
        await EtcdRegistrationTests.WaitForKeysAsync(etcd, "/tunicorn/services/Calculator/", 1);
        string appSettings = File.ReadAllText(ExampleFile("appsettings.json"));
        Assert.Contains("\"http://127.0.0.1:2379\"", appSettings);
        string file = _directory.File("appsettings.json");
        File.WriteAllText(file, appSettings.Replace("http://127.0.0.1:2379", etcd.Endpoint, StringComparison.Ordinal));

        Assert.Equal(10, await CalculatorApp.CalculatorClientProgram.RunAsync(file));
    }

    [Fact]
    public async Task Example_NoServerReachable_SumIsNull_AfterTheConnectionsWereRefused()
    {
        string file = _directory.File("appsettings.json");
        File.WriteAllText(file, $$"""{ "Calculator": { "Discovery": "static", "Servers": [ "127.0.0.1:{{FreePort.Next()}}" ] } }""");

        Assert.Null(await CalculatorApp.CalculatorClientProgram.RunAsync(file));
    }

    [Fact]
    public void Doc_EveryFileItShows_IsTheTestedFile()
    {
        string doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "client.md"));
        var shown = ShownFile().Matches(doc);

        Assert.Equal(["CalculatorClientProgram.cs", "CalculatorTotals.cs", "appsettings.json"], shown.Select(m => m.Groups["name"].Value).Order(StringComparer.Ordinal));
        foreach (Match block in shown)
        {
            string name = block.Groups["name"].Value;
            Assert.True(Normalize(File.ReadAllText(ExampleFile(name))) == Normalize(block.Groups["code"].Value),
                $"docs/client.md's {name} differs from tests/Tunicorn.IntegrationTests/ClientExample/{name}: copy the file into the doc");
        }
    }

    public void Dispose() => _directory.Dispose();

    private static string ExampleFile(string name) => Path.Combine(RepoPaths.Root, "tests", "Tunicorn.IntegrationTests", "ClientExample", name);

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();

    /// <summary>A code block right after its marker line: &lt;!-- file: ClientExample/NAME --&gt;.</summary>
    [GeneratedRegex(@"<!-- file: ClientExample/(?<name>[\w.]+) -->\s*\n```\w*\n(?<code>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex ShownFile();
}
