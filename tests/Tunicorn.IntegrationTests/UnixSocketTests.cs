using System.Diagnostics;
using System.Net.Sockets;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Acceptance 10: <c>-b unix:PATH</c> serves clients over a Unix socket. Only a stale socket at PATH is replaced;
/// anything else there (a file, a directory, a symbolic link, a live socket) is left as it is and refused.
/// </summary>
public sealed class UnixSocketTests(ITestOutputHelper output)
{
    [Fact]
    public async Task UnixBind_ServesThePythonAndCSharpClientsOverTheSocket()
    {
        using var dir = new TestDirectory("unix");
        string socket = dir.File("calc.sock");
        await using var server = TunicornServer.Start([RepoPaths.CalculatorDll, "-b", $"unix:{socket}", "-w", "2"], output);
        await server.WaitForReadyAsync(2);
        Assert.Equal($"unix:{socket}", server.Log.FirstMatch(LogPatterns.ListeningAt)!.Groups["address"].Value);

        CalculatorChecks.AssertPythonClientPassed(await PythonClient.RunAsync(PythonClient.CalculatorScript, PythonClient.Unix(socket)));

        using var client = await ThriftClients.CalculatorOverUnixSocketAsync(socket);
        await CalculatorChecks.RunAsync(client);
    }

    [Theory]
    [InlineData("regular file", 1)]
    [InlineData("symbolic link", 1)]
    [InlineData("directory", 2)]
    public async Task UnixBind_OnSomethingThatIsNotASocket_LeavesItIntact_AndExitsWithOneLine(string kind, int exitCode)
    {
        using var dir = new TestDirectory("unix");
        string path = dir.File("calc.sock");
        string target = dir.File("precious.txt");
        File.WriteAllText(target, "precious\n");
        switch (kind)
        {
            case "regular file":
                File.WriteAllText(path, "precious\n");
                break;
            case "symbolic link":
                File.CreateSymbolicLink(path, target);
                break;
            default:
                Directory.CreateDirectory(path);
                File.WriteAllText(Path.Combine(path, "inside.txt"), "precious\n");
                break;
        }

        await using var server = TunicornServer.Start([RepoPaths.CalculatorDll, "-b", $"unix:{path}", "-w", "1"], output);

        Assert.Equal(exitCode, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var lines = server.Log.Snapshot();
        var error = Assert.Single(lines, l => l.StartsWith("tunicorn: error:", StringComparison.Ordinal) || l.Contains("[CRITICAL]", StringComparison.Ordinal));
        Assert.Contains($"unix:{path}", error, StringComparison.Ordinal);
        Assert.Contains(kind, error, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.StartsWith("   at ", StringComparison.Ordinal));
        switch (kind)
        {
            case "regular file":
                Assert.Equal("precious\n", File.ReadAllText(path));
                break;
            case "symbolic link":
                Assert.Equal(target, new FileInfo(path).LinkTarget);
                break;
            default:
                Assert.Equal("precious\n", File.ReadAllText(Path.Combine(path, "inside.txt")));
                break;
        }
        Assert.Equal("precious\n", File.ReadAllText(target));
    }

    [Fact]
    public async Task UnixBind_OnAStaleSocket_ReplacesIt_AndServes()
    {
        using var dir = new TestDirectory("unix");
        string path = dir.File("calc.sock");
        // A process that bound the socket and exited without removing it, as a master that died would (.NET's
        // own Socket removes the file when disposed, so Python leaves it).
        using (var python = Process.Start("/usr/bin/python3", ["-c", $"import socket; s = socket.socket(socket.AF_UNIX); s.bind('{path}'); s.listen(1)"]))
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            await python.WaitForExitAsync(deadline.Token);
        Assert.True(File.Exists(path));

        await using var server = TunicornServer.Start([RepoPaths.CalculatorDll, "-b", $"unix:{path}", "-w", "1"], output);
        await server.WaitForReadyAsync(1);

        using var client = await ThriftClients.CalculatorOverUnixSocketAsync(path);
        await CalculatorChecks.RunAsync(client);
    }

    [Fact]
    public async Task UnixBind_OnALiveSocket_IsRefused_AndTheSocketKeepsServing()
    {
        using var dir = new TestDirectory("unix");
        string path = dir.File("calc.sock");
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(path));
        live.Listen(16);

        await using var server = TunicornServer.Start([RepoPaths.CalculatorDll, "-b", $"unix:{path}", "-w", "1"], output);

        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var error = Assert.Single(server.Log.Snapshot(), l => l.Contains("[CRITICAL]", StringComparison.Ordinal));
        Assert.Contains("another process is listening on it", error, StringComparison.Ordinal);
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await probe.ConnectAsync(new UnixDomainSocketEndPoint(path));
    }
}
