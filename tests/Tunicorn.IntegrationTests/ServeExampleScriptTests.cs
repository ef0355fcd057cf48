using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>scripts/serve-example.sh as the README tells a new user to run it.</summary>
public sealed class ServeExampleScriptTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ABindOfTheUsersOwn_ReplacesTheDefault9090()
    {
        int port = FreePort.Next();
        // The script builds before serving; pointing it at this test run's artifacts keeps that build a no-op.
        var environment = new Dictionary<string, string?> { ["ARTIFACTS_PATH"] = RepoPaths.Artifacts };
        await using var server = TunicornServer.StartExecutable("/bin/bash",
            [Path.Combine(RepoPaths.Root, "scripts", "serve-example.sh"), "-b", $"127.0.0.1:{port}", "-w", "1"],
            output, environment, RepoPaths.Root);

        // The script execs tunicorn, so its pid is the master's.
        await server.WaitForReadyAsync(1, TimeSpan.FromSeconds(120));
        var addresses = server.Log.Matches(LogPatterns.ListeningAt).Select(m => m.Groups["address"].Value).ToArray();
        Assert.Equal([$"127.0.0.1:{port}"], addresses);
        using var client = await ThriftClients.CalculatorAsync(port);
        Assert.Equal(5, await client.add(2, 3));
    }
}
