using System.Collections.Concurrent;
using System.Diagnostics;

namespace Tunicorn.Bench.Runner;

/// <summary>
/// A started server: its output goes to a log file and, with the time it was read, to
/// <see cref="LineReceived"/>; <see cref="StopAsync"/> stops it and every process it started, by pid.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<ServerProcess, byte> Live = new();

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Stopwatch _clock;
    private readonly ConcurrentDictionary<int, long> _seenPids = new();   // pid -> start time, for the stop
    private readonly ConcurrentQueue<string> _tail = new();
    private readonly ConcurrentQueue<(TimeSpan At, string Line)> _lines = new();
    private bool _logClosed;

    private ServerProcess(Process process, StreamWriter log, Stopwatch clock, ServerSpec spec, ServerLaunch launch)
    {
        _process = process;
        _log = log;
        _clock = clock;
        Spec = spec;
        Launch = launch;
    }

    public ServerSpec Spec { get; }
    public ServerLaunch Launch { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>Time since start when the server first answered a call.</summary>
    public TimeSpan? FirstAnswer { get; private set; }

    /// <summary>Each output line with the time it was read, measured on <see cref="Elapsed"/>'s clock.</summary>
    public event Action<TimeSpan, string>? LineReceived;

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <param name="tunicornEnv">environment variables for Tunicorn servers only (runtime settings under trial).</param>
    public static ServerProcess Start(ServerSpec spec, BenchPaths paths, ServerLaunch launch, string logPath, IReadOnlyDictionary<string, string> tunicornEnv)
    {
        var psi = spec.Command(paths, launch);
        if (spec.IsTunicorn)
            foreach (var (key, value) in tunicornEnv)
                psi.Environment[key] = value;
        foreach (var (key, value) in spec.Env)
            psi.Environment[key] = value;
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = true;
        var log = new StreamWriter(logPath) { AutoFlush = true };
        log.WriteLine("$ " + psi.FileName + " " + string.Join(' ', psi.ArgumentList));
        var clock = Stopwatch.StartNew();
        var process = new Process { StartInfo = psi };
        var server = new ServerProcess(process, log, clock, spec, launch);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        server.Remember(process.Id);
        Live[server] = 0;
        return server;
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        var at = _clock.Elapsed;
        lock (_log)
        {
            if (!_logClosed)
                _log.WriteLine($"[{at.TotalSeconds,9:0.000}] {line}");
        }
        _lines.Enqueue((at, line));
        _tail.Enqueue(line);
        while (_tail.Count > 20)
            _tail.TryDequeue(out _);
        LineReceived?.Invoke(at, line);
    }

    /// <summary>Every line the server printed so far, with the time it was read.</summary>
    public IReadOnlyCollection<(TimeSpan At, string Line)> Lines => _lines;

    /// <summary>The last lines the server printed, for error messages.</summary>
    public string Tail => string.Join(Environment.NewLine, _tail);

    /// <summary>Probes until a call is answered correctly; throws when the process dies or the deadline passes.</summary>
    public async Task WaitUntilAnsweringAsync(TimeSpan deadline)
    {
        while (_clock.Elapsed < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Spec.Label} exited with code {_process.ExitCode} before answering:{Environment.NewLine}{Tail}");
            if (await Probe.CallAsync(Launch.Port, Launch.Transport == "framed", TimeSpan.FromSeconds(5)))
            {
                FirstAnswer = _clock.Elapsed;
                RememberTree();
                return;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"{Spec.Label} did not answer within {deadline.TotalSeconds:0} s:{Environment.NewLine}{Tail}");
    }

    /// <summary>Waits until <paramref name="count"/> output lines containing <paramref name="text"/> were seen.</summary>
    public async Task WaitForLinesAsync(string text, int count, TimeSpan deadline)
    {
        while (_clock.Elapsed < deadline)
        {
            if (_lines.Count(l => l.Line.Contains(text, StringComparison.Ordinal)) >= count)
                return;
            if (_process.HasExited)
                throw new InvalidOperationException($"{Spec.Label} exited with code {_process.ExitCode}:{Environment.NewLine}{Tail}");
            await Task.Delay(20);
        }
        throw new TimeoutException($"{Spec.Label}: fewer than {count} lines '{text}' within {deadline.TotalSeconds:0} s:{Environment.NewLine}{Tail}");
    }

    /// <summary>The server's processes now: the one started and all its descendants.</summary>
    public List<int> Tree()
    {
        var tree = ProcFs.ProcessTree(Pid);
        foreach (int pid in tree)
            Remember(pid);
        return tree;
    }

    public void RememberTree() => Tree();

    private void Remember(int pid)
    {
        if (ProcFs.ReadStat(pid) is { } stat)
            _seenPids.TryAdd(pid, stat.StartTime);
    }

    /// <summary>SIGTERM to the server, up to <paramref name="grace"/> to exit, then SIGKILL to every process of it still alive.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            RememberTree();
            Native.Kill(Pid, Native.SIGTERM);
            using var cts = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                lock (_log)
                    _log.WriteLine($"[runner] no exit {grace.TotalSeconds:0} s after SIGTERM: SIGKILL");
            }
        }
        // Workers left behind (or a server that ignored TERM): kill them by pid, only if the pid is still the
        // same process (same start time) that we saw as part of this server.
        var deadline = Stopwatch.StartNew();
        foreach (var (pid, startTime) in _seenPids)
        {
            while (ProcFs.ReadStat(pid) is { } stat && stat.StartTime == startTime && stat.State != "Z")
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(3))
                {
                    Native.Kill(pid, Native.SIGKILL);
                    await Task.Delay(50);
                    if (deadline.Elapsed > TimeSpan.FromSeconds(10))
                        break;
                }
                else
                {
                    await Task.Delay(50);
                }
            }
        }
        if (!_process.HasExited)
        {
            Native.Kill(Pid, Native.SIGKILL);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>The runner is being stopped (SIGINT, SIGTERM): SIGKILL every process of every server still running.</summary>
    public static void KillAll()
    {
        foreach (var server in Live.Keys)
        {
            foreach (var (pid, startTime) in server._seenPids)
            {
                if (ProcFs.ReadStat(pid) is { } stat && stat.StartTime == startTime)
                    Native.Kill(pid, Native.SIGKILL);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(15));
        Live.TryRemove(this, out _);
        _process.Dispose();
        lock (_log)
        {
            _logClosed = true;
            _log.Dispose();
        }
    }
}
