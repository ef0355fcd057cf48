using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Binding an address someone else holds. By default a second server must fail as gunicorn's does ("Connection in
/// use", a few tries, exit 1); only reuse_port lets two servers share a port. PLATFORM-NOTES: .NET's ReuseAddress
/// option sets SO_REUSEPORT too, which made the second server bind silently and take half the connections.
/// </summary>
public sealed partial class ListenerBindTests(ITestOutputHelper output)
{
    private const int SOL_SOCKET = 1;
    private const int SO_REUSEPORT = 15;

    [Fact]
    public async Task SecondServer_OnAPortInUse_LogsConnectionInUse_RetriesAndExitsOneWithOneLine()
    {
        int port = FreePort.Next();
        await using var first = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, 1, output: output);

        await using var second = TunicornServer.Start([RepoPaths.CalculatorDll, "-b", $"127.0.0.1:{port}", "-w", "1"], output);

        Assert.Equal(1, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var lines = second.Log.Snapshot();
        Assert.Empty(second.Log.Matches(LogPatterns.ListeningAt));
        Assert.Contains(lines, l => l.Contains($"Connection in use: 127.0.0.1:{port}", StringComparison.Ordinal));
        // Retried (gunicorn: 5 tries, 1 s apart), then one line with the reason.
        Assert.True(lines.Count(l => l.Contains("Connection in use", StringComparison.Ordinal)) >= 2, "retried");
        var fatal = Assert.Single(lines, l => Critical().IsMatch(l));
        Assert.Contains($"bind: cannot listen on 127.0.0.1:{port}: address already in use", fatal, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.StartsWith("   at ", StringComparison.Ordinal));
        Assert.False(first.HasExited);
    }

    /// <summary>
    /// Probes the master's own listener: a socket with SO_REUSEPORT can bind the same address only when every socket
    /// already bound there has SO_REUSEPORT too (same user). So the probe fails exactly when the master's has it off.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MastersListener_HasSoReusePort_OnlyWithReusePort(bool reusePort)
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, 1, reusePort ? ["--reuse-port"] : [], output);

        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.SetRawSocketOption(SOL_SOCKET, SO_REUSEPORT, BitConverter.GetBytes(1));
        // Bound but never listening: it joins no accept queue, so it takes no connection from the server.
        var bound = TryBind(probe, new IPEndPoint(IPAddress.Loopback, port));

        Assert.Equal(reusePort, bound);
    }

    [Fact]
    public async Task TwoServers_WithReusePort_BothBind()
    {
        int port = FreePort.Next();
        await using var first = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, 1, ["--reuse-port"], output);
        await using var second = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, 1, ["--reuse-port"], output);

        Assert.Equal($"127.0.0.1:{port}", second.Log.FirstMatch(LogPatterns.ListeningAt)!.Groups["address"].Value);
        Assert.False(first.HasExited);
    }

    private static bool TryBind(Socket socket, EndPoint endPoint)
    {
        try
        {
            socket.Bind(endPoint);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^\[[^\]]+\] \[\d+\] \[CRITICAL\]")]
    private static partial Regex Critical();
}
