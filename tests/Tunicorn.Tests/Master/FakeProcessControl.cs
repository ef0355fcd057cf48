using Tunicorn.Interop;
using Tunicorn.Master;

namespace Tunicorn.Tests.Master;

/// <summary>
/// Processes that exist only in memory: spawns hand out <see cref="FakeWorker"/>s with made-up pids, signals are recorded,
/// and the master's own signals are raised by the test. A fake worker stops at once on TERM, INT, QUIT (exit 0) and KILL
/// (128 + 9, as .NET reports a death by SIGKILL); SIGABRT it ignores, so the test sees what the arbiter does next.
/// </summary>
internal sealed class FakeProcessControl : IProcessControl
{
    private readonly List<FakeWorker> _spawned = [];
    private readonly List<(int Pid, int Signal)> _sent = [];
    private Action<int>? _onSignal;
    private int _lastPid = 40_000;

    /// <summary>Runs inside each spawn, before the arbiter starts reading the worker's reports (as a fast process would).</summary>
    public Action<FakeWorker>? OnSpawn { get; set; }

    public IReadOnlyList<FakeWorker> Spawned => _spawned;

    public IReadOnlyList<(int Pid, int Signal)> Sent => _sent;

    public bool SignalsTrapped => _onSignal is not null;

    public IReadOnlyList<int> SignalsSentTo(FakeWorker worker) => _sent.Where(s => s.Pid == worker.Pid).Select(s => s.Signal).ToList();

    /// <summary>The master receives <paramref name="signal"/>, as from kill(1).</summary>
    public void Raise(int signal) => (_onSignal ?? throw new InvalidOperationException("the arbiter has not trapped its signals"))(signal);

    public void MarkInheritedCloseOnExec()
    {
        // Nothing of the test host's is touched.
    }

    public IDisposable TrapSignals(IReadOnlyList<int> signals, Action<int> onSignal)
    {
        _onSignal = onSignal;
        return new Untrap(this);
    }

    public IWorkerLink Spawn(WorkerLaunch launch, Action<int, int> onExit)
    {
        var worker = new FakeWorker(++_lastPid, launch, onExit);
        _spawned.Add(worker);
        OnSpawn?.Invoke(worker);
        return worker;
    }

    public bool Send(int pid, int signal)
    {
        _sent.Add((pid, signal));
        var worker = _spawned.Find(w => w.Pid == pid);
        if (worker is null || worker.HasExited)
            return false;
        if (signal is Signals.SIGTERM or Signals.SIGINT or Signals.SIGQUIT)
            worker.Exit(0);
        else if (signal == Signals.SIGKILL)
            worker.Exit(128 + Signals.SIGKILL);
        return true;
    }

    private sealed class Untrap(FakeProcessControl control) : IDisposable
    {
        public void Dispose() => control._onSignal = null;
    }
}
