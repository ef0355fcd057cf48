using Microsoft.Extensions.Logging;
using Tunicorn.Config;
using Tunicorn.Control;
using Tunicorn.Interop;

namespace Tunicorn.Master;

/// <summary>
/// The arbiter's side of the control socket: <see cref="ControlServer"/> reads and checks requests on its own tasks and posts
/// them; here, on the loop, each is answered with the same handlers the signals use.
/// </summary>
internal sealed partial class Arbiter
{
    private ControlServer? _control;
    private long _startedAt;

    /// <summary>Serve the control socket (the host sets it; unit tests of the arbiter leave it off).</summary>
    public bool ServeControlSocket { get; init; }

    /// <summary>Where the control socket is served; null when it is not.</summary>
    internal string? ControlSocketPath => _control?.Path;

    /// <summary>Once, at start: a reload keeps the socket it has, so HUP neither opens nor leaks one.</summary>
    private void StartControlSocket(Settings settings)
    {
        _startedAt = _time.GetTimestamp();
        if (!ServeControlSocket || settings.ControlSocketDisable)
            return;
        string path = settings.ControlSocket is { Length: > 0 } set ? set : ControlSocketPaths.Default(Pid, Environment.GetEnvironmentVariable);
        _control = ControlServer.TryStart(path, settings.ControlSocketMode, AskLoopAsync, _log);
    }

    /// <summary>On a client's task: hands the request to the loop, which completes the reply.</summary>
    private Task<ControlReply> AskLoopAsync(ControlRequest request, int clientPid)
    {
        var reply = new TaskCompletionSource<ControlReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new ArbiterEvent.ControlRequested(request, clientPid, reply));
        return reply.Task;
    }

    /// <summary>On the loop: does what the matching signal does, and says so.</summary>
    internal ControlReply AnswerControl(ControlRequest request, int clientPid)
    {
        if (request.Command is not (ControlCommands.Status or ControlCommands.Workers or ControlCommands.Config))
            ControlCommandReceived(_log, request.Command, clientPid);
        switch (request.Command)
        {
            case ControlCommands.Status:
                return new ControlReply { Ok = true, Status = StatusNow() };
            case ControlCommands.Workers:
                return new ControlReply { Ok = true, Workers = WorkersNow() };
            case ControlCommands.Config:
                var settings = _current.Settings;
                return new ControlReply
                {
                    Ok = true,
                    Settings = SettingRegistry.Stored.OrderBy(s => s.Name, StringComparer.Ordinal)
                        .ToDictionary(s => s.Name, s => settings.GetValue(s) is { } v ? s.FormatText(v) : null, StringComparer.Ordinal),
                };
            case ControlCommands.Add:
                ChangeTarget(_target + request.Count!.Value);
                return ControlReply.Done($"target is now {_target} workers");
            case ControlCommands.Remove:
                int target = Math.Max(1, _target - request.Count!.Value);
                ChangeTarget(target);
                return ControlReply.Done($"target is now {_target} workers (never fewer than 1)");
            case ControlCommands.Kill:
                int pid = request.Pid!.Value;
                if (!_workers.TryGetValue(pid, out var worker) || worker.Exited)
                    return ControlReply.Failed($"no worker with pid {pid} (see tunicorn ctl workers)");
                if (worker.Retiring)
                    return ControlReply.Done($"worker {pid} is already stopping");
                Retire(worker); // TERM: it finishes its calls, and the next pass starts its replacement
                return ControlReply.Done($"worker {pid} stops gracefully; a new worker replaces it");
            case ControlCommands.Reload:
                int? before = _reloads.Pending?.Generation;
                HandleHup();
                if (before is int inProgress)
                    return ControlReply.Failed($"a reload to generation {inProgress} is already in progress");
                return _reloads.Pending is { } pending
                    ? ControlReply.Done(_rolling.Active
                        ? $"rolling reload: generation {pending.Generation} replaces the {pending.Next.Settings.Workers} workers {_rolling.NewTarget} at a time"
                        : $"reloading: generation {pending.Generation} is starting {pending.Next.Settings.Workers} workers")
                    : ControlReply.Failed("reload failed (the master's log says why); the running generation serves on");
            case ControlCommands.Reopen:
                HandleUsr1();
                return ControlReply.Done("log files reopened by the master and signalled to every worker");
            case ControlCommands.Stop when request.Quick == true:
                StopQuickly("stopping quickly (tunicorn ctl stop --quick)");
                return ControlReply.Done("stopping quickly");
            case ControlCommands.Stop:
                StopGracefully("stopping gracefully (tunicorn ctl stop)");
                return ControlReply.Done($"stopping gracefully (workers have {_current.Settings.GracefulTimeout}s to finish their calls)");
            case ControlCommands.Upgrade:
                return AnswerUpgrade(request);
            default:
                return ControlReply.Failed($"unknown command '{request.Command}'");
        }
    }

    private ServerStatus StatusNow() => new()
    {
        Pid = Pid,
        UptimeSeconds = Math.Round(_time.GetElapsedTime(_startedAt).TotalSeconds, 1),
        Generation = _reloads.Serving,
        ReloadingGeneration = _reloads.Pending?.Generation,
        TargetWorkers = _target,
        Workers = _workers.Values.Count(w => !w.Exited),
        Listeners = _listeners?.Names.ToList() ?? [],
        SettingsFile = _current.Settings.ConfigFile,
        App = _current.Settings.App,
        NewMasterPid = UpgradeChildPid,
    };

    private List<WorkerStatus> WorkersNow()
    {
        long now = _time.GetTimestamp();
        return _workers.Values.Where(w => !w.Exited).OrderBy(w => w.Age).Select(w =>
        {
            var beat = w.Heartbeat;
            var oldest = beat?.OldestCallAge(_time.GetElapsedTime(beat.Value.ReceivedAt, now));
            return new WorkerStatus
            {
                Pid = w.Pid,
                Generation = w.Generation,
                Age = w.Age,
                UptimeSeconds = Math.Round(_time.GetElapsedTime(w.SpawnedAt, now).TotalSeconds, 1),
                Booted = w.Booted,
                Retiring = w.Retiring,
                CallsServed = beat?.CallsAnswered ?? 0,
                CallsInFlight = beat is { } b ? Math.Max(0, b.CallsRead - b.CallsAnswered) : 0,
                OldestCallMethod = oldest is null ? null : beat?.OldestCallMethod,
                OldestCallSeconds = oldest is { } age ? Math.Round(age.TotalSeconds, 1) : null,
                Connections = Math.Max(0, _board.ConnectionsOf(w.Slot)),
            };
        }).ToList();
    }

    [LoggerMessage(EventId = 1810, Level = LogLevel.Information, Message = "Control socket: '{Command}' asked by pid {ClientPid}")]
    private static partial void ControlCommandReceived(ILogger logger, string command, int clientPid);
}
