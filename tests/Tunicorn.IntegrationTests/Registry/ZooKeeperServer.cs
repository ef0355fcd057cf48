using System.Net;
using System.Net.Sockets;
using System.Text;
using Tunicorn.IntegrationTests.Harness;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// A real standalone ZooKeeper (Debian's zookeeper 3.8, QuorumPeerMain in its own JVM) on a free loopback port with its
/// data in a temp directory, started by the test and stopped by pid. A 200 ms tick allows sessions from 0.4 s to 20 s.
/// </summary>
internal sealed class ZooKeeperServer : IAsyncDisposable
{
    private const string Jar = "/usr/share/java/zookeeper.jar";
    private const string Slf4jSimple = "/usr/share/java/slf4j-simple.jar";

    private readonly TestDirectory _directory;
    private readonly ITestOutputHelper? _output;
    private ManagedProcess? _process;
    private int _generation;

    private ZooKeeperServer(ITestOutputHelper? output)
    {
        _output = output;
        _directory = new TestDirectory("zk");
        Port = FreePort.Next();
    }

    public int Port { get; }

    /// <summary>The connect string (service_register_conf hosts).</summary>
    public string Address => $"127.0.0.1:{Port}";

    public static async Task<ZooKeeperServer> CreateAsync(ITestOutputHelper? output, bool start = true)
    {
        var server = new ZooKeeperServer(output);
        if (start)
            await server.StartAsync();
        return server;
    }

    /// <summary>Starts the server; with <paramref name="freshData"/>, on an empty data directory (every session and node lost).</summary>
    public async Task StartAsync(bool freshData = false)
    {
        if (_process is { IsAlive: true })
            throw new InvalidOperationException("ZooKeeper already runs");
        if (freshData)
            _generation++;
        string data = _directory.File($"data{_generation}");
        Directory.CreateDirectory(data);
        string config = _directory.File($"zoo{_generation}.cfg");
        File.WriteAllText(config, $"""
            tickTime=200
            maxSessionTimeout=20000
            dataDir={data}
            clientPort={Port}
            clientPortAddress=127.0.0.1
            admin.enableServer=false
            4lw.commands.whitelist=srvr
            forceSync=no
            preAllocSize=1024
            """);
        string classPath = File.Exists(Slf4jSimple) ? $"{Jar}:{Slf4jSimple}" : Jar;
        // A small heap and the quick JIT tier: a test server lives for seconds on a two-core machine.
        _process = ManagedProcess.Start("/usr/bin/java",
        [
            "-Xmx128m", "-Xms32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true",
            "-Dzookeeper.admin.enableServer=false", "-Dzookeeper.jmx.log4j.disable=true",
            $"-Dorg.slf4j.simpleLogger.logFile={_directory.File("server.log")}",
            "-cp", classPath, "org.apache.zookeeper.server.quorum.QuorumPeerMain", config,
        ]);
        await Eventually.WaitUntilAsync(async () => _process.HasExited
                ? throw new InvalidOperationException($"ZooKeeper exited{Environment.NewLine}{_process.DescribeOutput()}")
                : (await SrvrAsync())?.Contains("Mode: ", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(60), $"ZooKeeper serves on {Address}", _process.DescribeOutput);
    }

    public async Task KillAsync()
    {
        if (_process is null)
            return;
        _process.Signal(UnixSignal.Kill);
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(10), drainOutput: false);
        await _process.DisposeAsync();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        if (_output is not null && File.Exists(_directory.File("server.log")))
        {
            foreach (string line in File.ReadLines(_directory.File("server.log")).TakeLast(15))
                _output.WriteLine("[zookeeper] " + line);
        }
        _directory.Dispose();
    }

    private async Task<string?> SrvrAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), deadline.Token);
            await socket.SendAsync(Encoding.ASCII.GetBytes("srvr"), deadline.Token);
            using var reader = new StreamReader(new NetworkStream(socket), Encoding.ASCII);
            return await reader.ReadToEndAsync(deadline.Token);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return null;
        }
    }
}
