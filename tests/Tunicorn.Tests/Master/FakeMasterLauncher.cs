using Tunicorn.Master;

namespace Tunicorn.Tests.Master;

/// <summary>New masters that exist only in memory: each start hands out a made-up pid; the test makes one exit.</summary>
internal sealed class FakeMasterLauncher : IMasterLauncher
{
    private readonly List<(int Pid, IReadOnlyList<string> Listeners, Action<int, int> OnExit)> _started = [];
    private int _lastPid = 60_000;

    /// <summary>Thrown by the next start instead of starting (an executable that cannot run).</summary>
    public Exception? Failure { get; set; }

    public IReadOnlyList<int> Started => _started.Select(s => s.Pid).ToList();

    /// <summary>The names of the listeners the last new master inherited.</summary>
    public IReadOnlyList<string> LastListeners => _started[^1].Listeners;

    public int Start(ListenerSet listeners, Action<int, int> onExit)
    {
        if (Failure is { } failure)
            throw failure;
        _started.Add((++_lastPid, listeners.Names, onExit));
        return _lastPid;
    }

    /// <summary>The new master <paramref name="pid"/> exits with <paramref name="code"/> (128 + N for a signal).</summary>
    public void Exit(int pid, int code) => _started.Single(s => s.Pid == pid).OnExit(pid, code);
}
