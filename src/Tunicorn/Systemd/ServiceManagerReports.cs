using Tunicorn.Interop;

namespace Tunicorn.Systemd;

/// <summary>
/// What the arbiter tells systemd, and when: READY=1 once every worker of the first generation accepts, STATUS= when the
/// number of serving workers or the generation changes, RELOADING=1 on HUP and READY=1 again once the new generation serves
/// (or the reload is given up and the old one serves on), STOPPING=1 on TERM, INT and QUIT. Keeps what it last said, so a
/// steady master sends (and allocates) nothing on its passes.
/// </summary>
/// <remarks>
/// A binary upgrade (USR2) hands systemd over to the new master, which sends <c>READY=1</c> with its own <c>MAINPID=</c>
/// once it serves. From then on this master must not speak for the service: its <c>STOPPING=1</c> when it quits would stop
/// the unit (and systemd would kill the new master with it), and a <c>READY=1</c> would take <c>MAINPID</c> back to a process
/// about to exit. Only its watchdog pings go on while it lives, so that a new master slow to start does not let the
/// watchdog fire. If the new master exits, this one takes the service back.
/// </remarks>
internal sealed class ServiceManagerReports(IServiceNotifier notifier, int mainPid)
{
    private bool _ready;
    private bool _reloading;
    private bool _stopping;
    private bool _handedOver;
    private int _workers = -1;
    private int _generation = -1;

    public TimeSpan? WatchdogInterval => notifier.WatchdogInterval;

    /// <summary>After each pass: <paramref name="booted"/> workers of the serving generation accept, <paramref name="target"/> are wanted.</summary>
    public void Serving(int booted, int target, int generation)
    {
        if (_stopping || _reloading || _handedOver || (booted == _workers && generation == _generation))
            return;
        if (!_ready)
        {
            if (booted < target)
                return; // systemd's start job waits for READY=1: only once every worker accepts
            _ready = true;
            Remember(booted, generation);
            notifier.Notify(SdNotifyMessages.Ready(mainPid, SdNotifyMessages.Serving(booted, generation)));
            return;
        }
        Remember(booted, generation);
        notifier.Notify(SdNotifyMessages.Status(SdNotifyMessages.Serving(booted, generation)));
    }

    /// <summary>A HUP began a reload.</summary>
    public void Reloading()
    {
        if (_stopping || _handedOver)
            return;
        _reloading = true;
        notifier.Notify(SdNotifyMessages.Reloading(MonotonicClock.NowMicroseconds(), "reloading: starting a new generation of workers"));
    }

    /// <summary>The new generation serves with <paramref name="workers"/> workers.</summary>
    public void Reloaded(int workers, int generation)
    {
        if (_stopping || _handedOver)
            return;
        _reloading = false;
        _ready = true;
        Remember(workers, generation);
        notifier.Notify(SdNotifyMessages.Ready(mainPid, SdNotifyMessages.Serving(workers, generation)));
    }

    /// <summary>
    /// The reload was given up; the generation that served still does. READY=1 ends systemd's reload job (Type=notify-reload
    /// waits for it), and STATUS= says why it failed.
    /// </summary>
    public void ReloadFailed(int generation, string reason)
    {
        if (_stopping || _handedOver)
            return;
        _reloading = false;
        string status = $"reload failed ({reason}); generation {generation} serves on";
        // Before the first READY=1 the start job is still waiting for the workers: READY=1 comes when they accept.
        notifier.Notify(_ready ? SdNotifyMessages.Ready(mainPid, status) : SdNotifyMessages.Status(status));
    }

    public void Stopping(string how)
    {
        if (_stopping)
            return;
        _stopping = true;
        if (!_handedOver)
            notifier.Notify(SdNotifyMessages.Stopping(how));
    }

    /// <summary>USR2 started a new master, which speaks for the service from now on (see the remarks).</summary>
    public void HandOver() => _handedOver = true;

    /// <summary>
    /// The new master of an upgrade exited and this one serves on: <c>READY=1</c> with this master's <c>MAINPID=</c>, so that
    /// systemd watches it again if the new master had taken over.
    /// </summary>
    public void TakeBack(int booted, int generation, string why)
    {
        if (!_handedOver || _stopping)
            return;
        _handedOver = false;
        _reloading = false;
        _ready = true;
        Remember(booted, generation);
        notifier.Notify(SdNotifyMessages.Ready(mainPid, $"{why}; {SdNotifyMessages.Serving(booted, generation)}"));
    }

    public void Watchdog() => notifier.Notify(SdNotifyMessages.Watchdog);

    private void Remember(int workers, int generation)
    {
        _workers = workers;
        _generation = generation;
    }
}
