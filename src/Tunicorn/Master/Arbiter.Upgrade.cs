using System.ComponentModel;
using Tunicorn.Control;
using Tunicorn.Interop;

namespace Tunicorn.Master;

/// <summary>
/// Binary upgrade, gunicorn's procedure (docs/signals.md). USR2: run <c>pre_exec</c>, move the pidfile to PIDFILE.2 (and an
/// explicit control socket to PATH.2), and start a new master, this executable with this master's arguments, that inherits
/// the listeners (<see cref="UpgradeEnvironment"/>). Both masters then serve from the same kernel queues. WINCH stops this
/// master's workers gracefully and keeps the master; QUIT or TERM stops it, and the new master serves on. To roll back,
/// HUP brings the workers back (without a reload: the app on disk may be the new one) and TERM goes to the new master; when
/// the new master exits, for whatever reason, the pidfile and the socket move back and the workers come back if WINCH
/// had stopped them. One upgrade at a time.
/// </summary>
internal sealed partial class Arbiter
{
    /// <summary>gunicorn's suffix for the old master's pidfile while a new master runs.</summary>
    internal const string OldMasterSuffix = ".2";

    private UpgradeChild? _upgradeChild;
    private int? _targetBeforeWinch;

    /// <summary>Starts the new master on USR2 (the host sets it; without it an upgrade is refused with a log line).</summary>
    public IMasterLauncher? MasterLauncher { get; init; }

    /// <summary>The master that started this one by USR2 (TUNICORN_UPGRADE_PARENT), or null.</summary>
    public int? UpgradeParentPid { get; init; }

    /// <summary>The new master this one started by USR2 and that has not exited yet, or null.</summary>
    internal int? UpgradeChildPid => _upgradeChild?.Pid;

    /// <summary>USR2: starts the new master; false when it was not started (the log says why).</summary>
    private bool StartUpgrade(string askedBy)
    {
        if (_upgradeChild is { } running)
        {
            UpgradeAlreadyRunning(_log, running.Pid);
            return false;
        }
        if (_stop is not null || _listeners is null)
            return false;
        if (MasterLauncher is null)
        {
            UpgradeStartFailed(_log, "this master cannot start another one (it runs without a launcher)");
            return false;
        }
        _hooks.Run("pre_exec", h => h.PreExec(this));
        MovePidfile(toOldMaster: true);
        if (ConfiguredControlSocket() is { } socket)
            _control?.TryMoveTo(socket + OldMasterSuffix);
        int pid;
        try
        {
            pid = MasterLauncher.Start(_listeners, (child, code) => Post(new ArbiterEvent.UpgradeExited(child, code)));
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException or InteropException)
        {
            UpgradeStartFailed(_log, e.Message);
            MoveBackAfterUpgrade();
            return false;
        }
        _upgradeChild = new UpgradeChild(pid, _time.GetTimestamp());
        _serviceManager?.HandOver();
        UpgradeStarted(_log, pid, askedBy, string.Join(", ", _listeners.Names), UpgradeEnvironment.Format(_listeners.Descriptors));
        return true;
    }

    /// <summary>The new master exited: whatever the cause, this master is the one that serves again.</summary>
    private void OnUpgradeExited(ArbiterEvent.UpgradeExited exited)
    {
        if (_upgradeChild is not { } child || child.Pid != exited.Pid)
            return;
        _upgradeChild = null;
        double seconds = _time.GetElapsedTime(child.StartedAt).TotalSeconds;
        if (_stop is not null)
            return; // this master stops too: its pidfile and socket go with it
        UpgradeChildExited(_log, exited.Pid, seconds, DescribeMasterExit(exited.ExitCode));
        MoveBackAfterUpgrade();
        RestoreWorkersAfterWinch($"the new master {exited.Pid} is gone");
        _serviceManager?.TakeBack(ServingWorkers(), _reloads.Serving, $"the new master {exited.Pid} exited; this master serves on");
    }

    /// <summary>
    /// WINCH: stops every worker gracefully and keeps the master, as gunicorn does, when a new master runs (an upgrade) or
    /// this master is daemonized; otherwise a WINCH (a terminal resize) is ignored.
    /// </summary>
    private void HandleWinch()
    {
        if (_upgradeChild is null && !_current.Settings.Daemon)
        {
            WinchIgnored(_log);
            return;
        }
        if (_target == 0)
            return;
        _targetBeforeWinch ??= _target;
        WinchStoppingWorkers(_log, _workers.Values.Count(w => !w.Retiring && !w.Exited), _targetBeforeWinch.Value);
        ChangeTarget(0);
    }

    /// <summary>
    /// After WINCH, brings the workers back (the HUP of a rollback, or the new master's exit) with the app this master runs:
    /// no reload, since the app on disk may be the new one. False when WINCH had not stopped the workers.
    /// </summary>
    private bool RestoreWorkersAfterWinch(string why)
    {
        if (_targetBeforeWinch is not int before)
            return false;
        _targetBeforeWinch = null;
        WorkersRestored(_log, before, why);
        ChangeTarget(before);
        return true;
    }

    /// <summary>HUP: after WINCH, the rollback of an upgrade; otherwise a reload.</summary>
    private void HandleHupOrRestore()
    {
        if (!RestoreWorkersAfterWinch("HUP"))
            HandleHup();
    }

    /// <summary>While another master holds the same listeners, closing ours must leave their Unix socket files.</summary>
    private void KeepSharedSocketFiles()
    {
        if (_upgradeChild is not null && _listeners is not null)
            _listeners.SocketFilesShared = true;
    }

    private ControlReply AnswerUpgrade(ControlRequest request)
    {
        switch (request.Step ?? ControlCommands.UpgradeStart)
        {
            case ControlCommands.UpgradeFinish:
                if (_upgradeChild is null)
                    return ControlReply.Failed("no upgrade in progress: this master has no new master running");
                HandleWinch();
                return new ControlReply
                {
                    Ok = true,
                    Message = $"old master {Pid}: its workers stop gracefully (as WINCH); new master {_upgradeChild.Pid} serves",
                    Upgrade = UpgradeNow(),
                };
            case ControlCommands.UpgradeRollback:
                bool restored = RestoreWorkersAfterWinch("tunicorn ctl upgrade --rollback");
                if (_upgradeChild is not { } child)
                {
                    return restored ? ControlReply.Done($"no new master runs; {_target} workers start again")
                        : ControlReply.Failed("no upgrade in progress: this master has no new master running and its workers serve");
                }
                _processes.Send(child.Pid, Signals.SIGTERM);
                return new ControlReply
                {
                    Ok = true,
                    Message = $"rolling back: new master {child.Pid} stops gracefully (TERM); this master serves with {_target} workers",
                    Upgrade = UpgradeNow(),
                };
            default:
                if (_upgradeChild is { } running)
                {
                    UpgradeAlreadyRunning(_log, running.Pid);
                    return ControlReply.Failed($"an upgrade is in progress: new master {running.Pid} runs (finish it, or roll back with --rollback)");
                }
                if (!StartUpgrade("tunicorn ctl upgrade"))
                    return ControlReply.Failed("the new master was not started (the master's log says why); this master serves on");
                return new ControlReply
                {
                    Ok = true,
                    Message = $"new master {_upgradeChild!.Pid} started; it inherits the listeners",
                    Upgrade = UpgradeNow(),
                };
        }
    }

    private UpgradeState UpgradeNow() => new()
    {
        OldMasterPid = Pid,
        OldMasterSocket = _control?.Path,
        NewMasterPid = _upgradeChild?.Pid,
        NewMasterSocket = _upgradeChild is { } child && _control is not null
            ? ConfiguredControlSocket() ?? ControlSocketPaths.Default(child.Pid, Environment.GetEnvironmentVariable)
            : null,
        OldMasterTargetWorkers = _target,
    };

    /// <summary>The control socket path the settings name, or null when it is the default (named by the pid: no two masters share it).</summary>
    private string? ConfiguredControlSocket() =>
        _current.Settings.ControlSocket is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    private void MovePidfile(bool toOldMaster)
    {
        if (_pidfile is null || _current.Settings.Pidfile is not { Length: > 0 } configured)
            return;
        string path = Path.GetFullPath(configured);
        string destination = toOldMaster ? path + OldMasterSuffix : path;
        if (_pidfile.Path == destination)
            return;
        try
        {
            _pidfile = _pidfile.MoveTo(destination, Pid);
            PidfileMoved(_log, destination);
        }
        catch (IOException e)
        {
            PidfileNotMoved(_log, e.Message);
        }
    }

    private void MoveBackAfterUpgrade()
    {
        MovePidfile(toOldMaster: false);
        if (ConfiguredControlSocket() is { } socket && _control is not null && _control.Path != socket)
            _control.TryMoveTo(socket);
    }

    /// <summary>Why a new master exited, in the terms of the exit statuses (docs/signals.md).</summary>
    internal static string DescribeMasterExit(int code) => code switch
    {
        0 => "exit code 0: it was stopped",
        1 => "exit code 1: a run-time failure (an address or a file it could not use)",
        2 => "exit code 2: invalid settings",
        3 => "exit code 3: a worker failed to boot",
        4 => "exit code 4: the app failed to load",
        > 128 => $"killed by SIG{Signals.Name(code - 128).ToUpperInvariant()}",
        _ => $"exit code {code}",
    };

    /// <param name="StartedAt">A timestamp of the arbiter's <see cref="TimeProvider"/>.</param>
    private sealed record UpgradeChild(int Pid, long StartedAt);
}
