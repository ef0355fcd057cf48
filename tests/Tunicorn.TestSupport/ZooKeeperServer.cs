using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tunicorn.TestSupport;

/// <summary>
/// One real ZooKeeper server (QuorumPeerMain in a JVM of its own) on loopback, with its config and data in a directory of
/// the test run. It can be started again on the same data after being killed, and is only ever signalled by pid.
/// </summary>
public sealed class ZooKeeperServer : IAsyncDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    private readonly List<string> _console = [];
    private Process? _process;

    public ZooKeeperServer(int id, int clientPort, string directory)
    {
        Id = id;
        ClientPort = clientPort;
        Directory = directory;
        System.IO.Directory.CreateDirectory(DataDirectory);
    }

    /// <summary>The server's id in the ensemble (myid), from 1.</summary>
    public int Id { get; }

    public int ClientPort { get; }

    public string Address => $"127.0.0.1:{ClientPort}";

    public string Directory { get; }

    public string DataDirectory => Path.Combine(Directory, "data");

    public string ConfigPath => Path.Combine(Directory, "zoo.cfg");

    public string LogPath => Path.Combine(Directory, "server.log");

    public int? Pid => _process is { HasExited: false } process ? process.Id : null;

    public bool IsRunning => Pid is not null;

    public void WriteConfig(string config)
    {
        File.WriteAllText(ConfigPath, config);
        File.WriteAllText(Path.Combine(DataDirectory, "myid"), $"{Id}\n");
    }

    public void Start()
    {
        if (IsRunning)
            throw new InvalidOperationException($"ZooKeeper server {Id} runs already (pid {Pid})");
        var info = new ProcessStartInfo(ZooKeeperInstallation.Java)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        // A small heap and the quick JIT tier: the tests start several JVMs on a small machine, and a test
        // server lives for seconds. The serial collector needs no extra threads.
        string[] arguments =
        [
            "-Xmx128m", "-Xms32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
            "-Djava.net.preferIPv4Stack=true",
            "-Dzookeeper.admin.enableServer=false",
            "-Dzookeeper.jmx.log4j.disable=true",
            $"-Dorg.slf4j.simpleLogger.logFile={LogPath}",
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
            "-cp", ZooKeeperInstallation.ClassPath,
            "org.apache.zookeeper.server.quorum.QuorumPeerMain",
            ConfigPath,
        ];
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => AddConsoleLine(e.Data);
        process.ErrorDataReceived += (_, e) => AddConsoleLine(e.Data);
        if (!process.Start())
            throw new InvalidOperationException($"could not start {info.FileName}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>SIGKILL by pid, as a crash would end it, and waits until it is gone (its port is then free again).</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process)
            return;
        if (!process.HasExited)
            UnixSignals.Send(process.Id, UnixSignals.Kill);
        using var deadline = new CancellationTokenSource(ExitTimeout);
        await process.WaitForExitAsync(deadline.Token);
        process.Dispose();
        _process = null;
    }

    /// <summary>
    /// SIGSTOP, then waits until every thread of the JVM has stopped: the signal only takes effect when each thread
    /// next runs, and a thread busy on the other core could still answer a request meanwhile.
    /// </summary>
    public async Task FreezeAsync()
    {
        int pid = Pid ?? throw new InvalidOperationException($"server {Id} is not running");
        UnixSignals.Send(pid, UnixSignals.Stop);
        var clock = Stopwatch.StartNew();
        while (!AllThreadsStopped(pid))
        {
            if (clock.Elapsed > ExitTimeout)
                throw new TimeoutException($"ZooKeeper server {Id} (pid {pid}) did not stop within {ExitTimeout.TotalSeconds:0} s of SIGSTOP");
            await Task.Delay(5);
        }
    }

    public void Thaw() => UnixSignals.Send(Pid ?? throw new InvalidOperationException($"server {Id} is not running"), UnixSignals.Continue);

    /// <summary>Waits until the server serves clients (standalone, or in a quorum as leader or follower) and returns its mode.</summary>
    public async Task<string> WaitServingAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (!IsRunning)
                throw new InvalidOperationException($"ZooKeeper server {Id} exited before serving.{Environment.NewLine}{Diagnostics()}");
            string? answer = await FourLetterWordAsync("srvr");
            // "srvr" answers "Mode: standalone|leader|follower" once serving, and "not currently serving" before.
            int mode = answer?.IndexOf("Mode: ", StringComparison.Ordinal) ?? -1;
            if (mode >= 0)
                return answer![(mode + 6)..].Split('\n')[0].Trim();
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"ZooKeeper server {Id} not serving after {timeout.TotalSeconds:0} s (last answer: {answer?.Trim()}){Environment.NewLine}{Diagnostics()}");
            await Task.Delay(100);
        }
    }

    /// <summary>A four-letter-word command (the config must whitelist it: srvr at least); null when the server does not answer.</summary>
    public async Task<string?> FourLetterWordAsync(string command)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, ClientPort), deadline.Token);
            await socket.SendAsync(Encoding.ASCII.GetBytes(command), deadline.Token);
            using var stream = new NetworkStream(socket);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            return await reader.ReadToEndAsync(deadline.Token);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>True when /proc shows every thread of <paramref name="pid"/> stopped (state T).</summary>
    private static bool AllThreadsStopped(int pid)
    {
        foreach (string task in System.IO.Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                // "tid (comm) S ...": the state follows the last ')' (comm may contain spaces and parentheses).
                string stat = File.ReadAllText(Path.Combine(task, "stat"));
                if (stat[(stat.LastIndexOf(')') + 2)] != 'T')
                    return false;
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }
        return true;
    }

    /// <summary>The end of the server's log and console, for failure messages.</summary>
    public string Diagnostics()
    {
        var text = new StringBuilder();
        text.AppendLine($"--- ZooKeeper server {Id} ({Directory}), last log lines:");
        if (File.Exists(LogPath))
        {
            foreach (string line in File.ReadLines(LogPath).TakeLast(30))
                text.AppendLine(line);
        }
        lock (_console)
        {
            foreach (string line in _console.TakeLast(20))
                text.AppendLine(line);
        }
        return text.ToString();
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    private void AddConsoleLine(string? line)
    {
        if (line is null)
            return;
        lock (_console)
            _console.Add(line);
    }
}
