using System.Globalization;
using System.Net.Sockets;
using Tunicorn.IntegrationTests.Harness;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// A real etcd (Debian's etcd-server) on free loopback ports with its data in a temp directory, started by the test
/// and stopped by pid. <see cref="GetAsync"/> reads keys with etcdctl, a client independent of the code under test.
/// </summary>
internal sealed class EtcdServer : IAsyncDisposable
{
    public const string Executable = "/usr/bin/etcd";
    public const string Ctl = "/usr/bin/etcdctl";

    private readonly TestDirectory _directory;
    private readonly ITestOutputHelper? _output;
    private readonly int _peerPort;
    private ManagedProcess? _process;
    private int _generation;

    private EtcdServer(ITestOutputHelper? output)
    {
        _output = output;
        _directory = new TestDirectory("etcd");
        ClientPort = FreePort.Next();
        _peerPort = FreePort.Next();
    }

    public int ClientPort { get; }

    /// <summary>What service_register_conf hosts and EtcdDiscoveryOptions.Hosts take.</summary>
    public string Endpoint => $"http://127.0.0.1:{ClientPort}";

    public int? Pid => _process?.Pid;

    /// <summary>Picks ports and a data directory; <paramref name="start"/> false leaves etcd down (a registry that is not there yet).</summary>
    public static async Task<EtcdServer> CreateAsync(ITestOutputHelper? output, bool start = true)
    {
        var server = new EtcdServer(output);
        if (start)
            await server.StartAsync();
        return server;
    }

    /// <summary>Starts etcd; with <paramref name="freshData"/>, in a new data directory (an etcd that lost every key and lease).</summary>
    public async Task StartAsync(bool freshData = false)
    {
        if (_process is { IsAlive: true })
            throw new InvalidOperationException("etcd already runs");
        if (freshData)
            _generation++;
        string data = _directory.File($"data{_generation}");
        string client = $"http://127.0.0.1:{ClientPort}";
        string peer = $"http://127.0.0.1:{_peerPort}";
        _process = ManagedProcess.Start(Executable,
        [
            "--name", "t", "--data-dir", data,
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", $"t={peer}",
            // Leases expire on time only if etcd checks them often; the defaults suit a machine this size.
            "--log-level", "warn",
        ]);
        await Eventually.WaitUntilAsync(async () => _process.HasExited ? throw new InvalidOperationException($"etcd exited{Environment.NewLine}{_process.DescribeOutput()}") : await AnswersAsync(),
            TimeSpan.FromSeconds(20), $"etcd answers on {client}", _process.DescribeOutput);
    }

    /// <summary>kill -9 of etcd, by pid; waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (_process is null)
            return;
        _process.Signal(UnixSignal.Kill);
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(10), drainOutput: false);
        await _process.DisposeAsync();
        _process = null;
    }

    /// <summary>Every key under <paramref name="prefix"/> with its value, read by etcdctl.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetAsync(string prefix)
    {
        var lines = await CtlAsync("get", "--prefix", prefix);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < lines.Count; i += 2)
            result[lines[i]] = lines[i + 1];
        return result;
    }

    /// <summary>Starts <c>etcdctl watch --prefix</c>: its stdout gets one line per event as it happens.</summary>
    public ManagedProcess Watch(string prefix) =>
        ManagedProcess.Start(Ctl, ["--endpoints", Endpoint, "watch", "--prefix", prefix], new Dictionary<string, string?> { ["ETCDCTL_API"] = "3" });

    public async Task<IReadOnlyList<string>> CtlAsync(params string[] args)
    {
        await using var ctl = ManagedProcess.Start(Ctl, ["--endpoints", Endpoint, "--command-timeout", "3s", .. args],
            new Dictionary<string, string?> { ["ETCDCTL_API"] = "3" });
        int code = await ctl.WaitForExitAsync(TimeSpan.FromSeconds(15));
        if (code != 0)
            throw new InvalidOperationException($"etcdctl {string.Join(' ', args)} exited with {code}{Environment.NewLine}{ctl.DescribeOutput()}");
        return ctl.Stdout.Snapshot();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (_output is not null)
            {
                foreach (var line in _process.Stderr.Snapshot().TakeLast(40))
                    _output.WriteLine("[etcd] " + line);
            }
            await KillAsync();
        }
        _directory.Dispose();
    }

    private async Task<bool> AnswersAsync()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, ClientPort);
        }
        catch (SocketException)
        {
            return false;
        }
        try
        {
            await CtlAsync("endpoint", "health");
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public override string ToString() => $"etcd {Endpoint} (pid {Pid?.ToString(CultureInfo.InvariantCulture) ?? "none"})";
}
