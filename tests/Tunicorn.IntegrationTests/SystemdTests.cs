using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// Issue 14, systemd: the master speaks sd_notify to a real datagram socket given as NOTIFY_SOCKET, and serves the
/// sockets Debian's systemd-socket-activate passes (LISTEN_FDS) without binding them anew.
/// </summary>
public sealed partial class SystemdTests(ITestOutputHelper output)
{
    private const string SocketActivate = "/usr/bin/systemd-socket-activate";
    private static readonly TimeSpan SignalDeadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task NotifySocket_GetsReadyWithMainPid_ReloadingThenReadyOnHup_StoppingOnTerm_AndWatchdogPings()
    {
        using var folder = new TestDirectory("notify");
        await using var systemd = new NotifySocket(folder.File("notify"));
        int port = FreePort.Next();
        await using var server = TunicornServer.Start([RepoPaths.CalculatorDll, "-b", $"127.0.0.1:{port}", "-w", "2"], output,
            new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.Path, ["WATCHDOG_USEC"] = "400000" });
        string Diagnostics() => $"notifications: {systemd.Dump()}{Environment.NewLine}{server.Describe()}";

        int ready = await systemd.WaitForAsync("READY=1", TunicornServer.BootTimeout, diagnostics: Diagnostics);
        Assert.Equal(server.MasterPid.ToString(CultureInfo.InvariantCulture), systemd.ValueIn(ready, "MAINPID"));
        Assert.Equal("2 workers, generation 0", systemd.ValueIn(ready, "STATUS"));
        var old = await server.WaitForWorkerCountAsync(2, TunicornServer.BootTimeout);
        foreach (int worker in old)
            AssertNoSystemdVariables(worker);

        // WATCHDOG_USEC=0.4 s: a ping every 0.2 s from the master's loop.
        await Eventually.WaitUntilAsync(() => systemd.Messages.Count(m => m == "WATCHDOG=1") >= 3, TimeSpan.FromSeconds(10),
            "three WATCHDOG=1 pings", Diagnostics);

        int mark = systemd.Messages.Count;
        long before = MonotonicMicroseconds();
        Assert.True(server.Signal(UnixSignal.Hup));
        int reloading = await systemd.WaitForAsync("RELOADING=1", SignalDeadline, mark, Diagnostics);
        long after = MonotonicMicroseconds();
        // systemd compares MONOTONIC_USEC with its own CLOCK_MONOTONIC; on Linux, Stopwatch reads that clock too, so the
        // stamp lies between the test's readings before the HUP and after the message came.
        Assert.InRange(long.Parse(systemd.ValueIn(reloading, "MONOTONIC_USEC")!, CultureInfo.InvariantCulture), before, after);
        int reloaded = await systemd.WaitForAsync("READY=1", TunicornServer.BootTimeout, reloading + 1, Diagnostics);
        Assert.Equal("2 workers, generation 1", systemd.ValueIn(reloaded, "STATUS"));
        Assert.Equal(server.MasterPid.ToString(CultureInfo.InvariantCulture), systemd.ValueIn(reloaded, "MAINPID"));
        var fresh = await server.WaitForWorkerCountAsync(2, TunicornServer.BootTimeout, pids => !pids.Intersect(old).Any(), "the new generation");
        Assert.DoesNotContain(systemd.Messages.Skip(mark).Take(reloading - mark), m => m.StartsWith("READY=1", StringComparison.Ordinal));

        mark = systemd.Messages.Count;
        Assert.True(server.Signal(UnixSignal.Term));
        await systemd.WaitForAsync("STOPPING=1", SignalDeadline, mark, Diagnostics);
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, systemd.Messages.Count(m => m.StartsWith("READY=1", StringComparison.Ordinal))); // the start's and the reload's
    }

    [Fact]
    public async Task SocketActivate_ServesThePythonClient_ThroughThePassedSocket_WithoutBind()
    {
        int port = FreePort.Next();
        await using var server = StartActivated(port, [RepoPaths.CalculatorDll, "-w", "2"]);
        long passed = await PassedSocketInodeAsync(server);

        TriggerActivation(port);
        await server.WaitForReadyAsync(2);
        CalculatorChecks.AssertPythonClientPassed(await PythonClient.RunAsync(PythonClient.CalculatorScript, PythonClient.Tcp(port)));

        await AssertServesOnlyThePassedSocketAsync(server, passed, port);
        Assert.Contains(server.Log.Snapshot(), l => l.Contains($"Listening at: 127.0.0.1:{port} ({server.MasterPid})", StringComparison.Ordinal));
        Assert.True(server.Signal(UnixSignal.Term));
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task SocketActivate_WithABindForThePassedAddress_ReusesThePassedSocket_AcrossAReload()
    {
        int port = FreePort.Next();
        await using var server = StartActivated(port, [RepoPaths.CalculatorDll, "-b", $"127.0.0.1:{port}", "-w", "1"]);
        long passed = await PassedSocketInodeAsync(server);

        TriggerActivation(port);
        var old = await server.WaitForReadyAsync(1);
        Assert.True(server.Signal(UnixSignal.Hup));
        await server.WaitForWorkerCountAsync(1, TunicornServer.BootTimeout, pids => !pids.Intersect(old).Any(), "the new generation");
        CalculatorChecks.AssertPythonClientPassed(await PythonClient.RunAsync(PythonClient.CalculatorScript, PythonClient.Tcp(port)));

        await AssertServesOnlyThePassedSocketAsync(server, passed, port);
        Assert.DoesNotContain(server.Log.Snapshot(), l => l.Contains("Connection in use", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DocsUnitFiles_PassSystemdAnalyzeVerify()
    {
        var units = IniBlocks(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "docs", "systemd.md")))
            .Select(block => (Name: UnitHeader().Match(block) is { Success: true } m ? m.Groups[1].Value : null, Text: block))
            .Where(u => u.Name is not null).ToList();
        var socket = Assert.Single(units, u => u.Name!.EndsWith(".socket", StringComparison.Ordinal));
        var services = units.Where(u => u.Name!.EndsWith(".service", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, services.Count); // notify-reload, notify (older systemd), socket-activated
        Assert.Contains(services, s => s.Text.Contains("Type=notify-reload", StringComparison.Ordinal));

        string cli = RepoPaths.PublishedCli;
        Assert.True(File.Exists(cli), $"{cli} is missing: scripts/test.sh publishes it");
        int systemdVersion = await SystemdVersionAsync();
        foreach (var service in services)
        {
            using var folder = new TestDirectory("units");
            // The /opt paths of the page, pointed at what exists here (verify checks that ExecStart is executable).
            string Install(string text) => text.Replace("/opt/Acme.Orders/Acme.Orders ", cli + " ", StringComparison.Ordinal)
                .Replace("/opt/Acme.Orders", folder.Path, StringComparison.Ordinal);
            await File.WriteAllTextAsync(folder.File(service.Name!), Install(service.Text));
            await File.WriteAllTextAsync(folder.File(socket.Name!), Install(socket.Text));
            await using var verify = ManagedProcess.Start("systemd-analyze", ["verify", folder.File(socket.Name!), folder.File(service.Name!)],
                workingDirectory: folder.Path);
            int code = await verify.WaitForExitAsync(TimeSpan.FromSeconds(60));
            // systemd before 253 does not know notify-reload: the one complaint allowed, and only there.
            var complaints = verify.Stderr.Snapshot().Concat(verify.Stdout.Snapshot())
                .Where(l => !(systemdVersion < 253 && l.EndsWith("Failed to parse service type, ignoring: notify-reload", StringComparison.Ordinal)))
                .ToList();
            Assert.True(code == 0 && complaints.Count == 0, $"systemd-analyze verify of {service.Name} ({FirstServiceType(service.Text)}): {verify.DescribeOutput()}");
        }
    }

    private static IEnumerable<string> IniBlocks(string markdown) =>
        IniBlock().Matches(markdown).Select(m => m.Groups[1].Value);

    private static string FirstServiceType(string unit) => unit.Split('\n').FirstOrDefault(l => l.StartsWith("Type=", StringComparison.Ordinal)) ?? "?";

    private static async Task<int> SystemdVersionAsync()
    {
        await using var version = ManagedProcess.Start("systemd-analyze", ["--version"]);
        await version.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var match = Regex.Match(version.Stdout.Snapshot().FirstOrDefault() ?? "", @"^systemd (\d+)");
        Assert.True(match.Success, $"systemd-analyze --version: {version.DescribeOutput()}");
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>systemd-socket-activate listens, waits for the first connection, then execs the published CLI in its own pid.</summary>
    private TunicornServer StartActivated(int port, string[] tunicornArguments)
    {
        Assert.True(File.Exists(SocketActivate), $"{SocketActivate} is missing: Debian's systemd package provides it (scripts/install-deps.sh)");
        string cli = RepoPaths.PublishedCli;
        Assert.True(File.Exists(cli), $"{cli} is missing: scripts/test.sh publishes it");
        return TunicornServer.StartExecutable(SocketActivate, ["-l", $"127.0.0.1:{port}", cli, .. tunicornArguments], output);
    }

    /// <summary>The inode of the socket systemd-socket-activate holds as descriptor 3 before it execs tunicorn.</summary>
    private static async Task<long> PassedSocketInodeAsync(TunicornServer server)
    {
        long inode = 0;
        await Eventually.WaitUntilAsync(() => (inode = SocketInode(server.MasterPid, 3) ?? 0) != 0, TimeSpan.FromSeconds(10),
            "systemd-socket-activate listening on descriptor 3", server.Describe);
        return inode;
    }

    /// <summary>The first connection makes systemd-socket-activate exec tunicorn; it waits in the passed socket's queue.</summary>
    private static void TriggerActivation(int port)
    {
        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        first.Connect("127.0.0.1", port);
    }

    /// <summary>
    /// The master (systemd-socket-activate's pid, now tunicorn) still holds the passed socket as descriptor 3, the kernel
    /// lists that very socket as the one listener on the port, it is the only TCP socket the master listens on, and every
    /// worker serves it.
    /// </summary>
    private async Task AssertServesOnlyThePassedSocketAsync(TunicornServer server, long passed, int port)
    {
        Assert.Equal(Path.GetFullPath(RepoPaths.PublishedCli), new FileInfo($"/proc/{server.MasterPid}/exe").LinkTarget); // exec'd in place
        Assert.Equal(passed, SocketInode(server.MasterPid, 3));
        var listeners = await ListeningTcpSocketsAsync();
        output.WriteLine($"[test] listening on port {port}: {string.Join(", ", listeners.Where(l => l.Port == port))}");
        Assert.Equal([passed], listeners.Where(l => l.Port == port).Select(l => l.Inode));
        var masterListeners = listeners.Where(l => SocketInodes(server.MasterPid).Contains(l.Inode)).Select(l => l.Inode);
        Assert.Equal([passed], masterListeners);
        foreach (int worker in server.WorkerPids())
        {
            Assert.Contains(passed, SocketInodes(worker));
            AssertNoSystemdVariables(worker);
        }
    }

    private static void AssertNoSystemdVariables(int pid)
    {
        var environment = File.ReadAllText($"/proc/{pid}/environ").Split('\0');
        string[] masterOnly = ["NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID=", "LISTEN_FDS=", "LISTEN_PID=", "LISTEN_FDNAMES="];
        Assert.DoesNotContain(environment, v => masterOnly.Any(m => v.StartsWith(m, StringComparison.Ordinal)));
    }

    private static long? SocketInode(int pid, int fd)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget is { } target && SocketLink().Match(target) is { Success: true } m
                ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static HashSet<long> SocketInodes(int pid) =>
        Directory.GetFiles($"/proc/{pid}/fd")
            .Select(f => new FileInfo(f).LinkTarget is { } t && SocketLink().Match(t) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0)
            .Where(i => i != 0).ToHashSet();

    /// <summary>Every listening TCP socket of the machine, as <c>ss -ltnHe</c> lists them: local port and socket inode.</summary>
    private static async Task<List<(int Port, long Inode)>> ListeningTcpSocketsAsync()
    {
        var info = new ProcessStartInfo("ss", ["-ltnHe"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var ss = Process.Start(info)!;
        string text = await ss.StandardOutput.ReadToEndAsync();
        await ss.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return text.Split('\n').Select(line => SsLine().Match(line)).Where(m => m.Success)
            .Select(m => (int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups["inode"].Value, CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>CLOCK_MONOTONIC in microseconds: Stopwatch's clock on Linux.</summary>
    private static long MonotonicMicroseconds() => (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));

    [GeneratedRegex(@"```ini\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex IniBlock();

    [GeneratedRegex(@"^# /etc/systemd/system/(\S+)")]
    private static partial Regex UnitHeader();

    [GeneratedRegex(@"^socket:\[(\d+)\]$")]
    private static partial Regex SocketLink();

    [GeneratedRegex(@"^LISTEN\s+\d+\s+\d+\s+\S+:(?<port>\d+)\s+.*\bino:(?<inode>\d+)")]
    private static partial Regex SsLine();
}
