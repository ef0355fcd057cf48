using System.Globalization;

namespace Tunicorn.Control;

/// <summary>
/// <c>tunicorn ctl upgrade</c>: the whole binary upgrade through the control sockets. Asks the old master to start the new
/// one (as USR2), waits until the new master serves (its control socket answers and every worker it wants has booted), then
/// has the old master's workers stop gracefully (as WINCH) and, once they are gone, stops the old master (as QUIT). When the
/// new master does not serve in time or exits, it rolls back: the new master is stopped (TERM) and the old one serves on.
/// <c>--rollback</c> alone rolls back an upgrade in progress (one started by USR2).
/// </summary>
internal static class UpgradeProcedure
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    /// <summary>Runs the procedure against the old master at <paramref name="oldSocket"/>; returns the reply to print and whether it succeeded.</summary>
    public static async Task<ControlReply> RunAsync(string oldSocket, TimeSpan timeout, TextWriter progress)
    {
        var (_, started) = await ControlClient.AskAsync(oldSocket, new ControlRequest { Command = ControlCommands.Upgrade, Step = ControlCommands.UpgradeStart });
        if (!started.Ok || started.Upgrade is not { NewMasterPid: int newPid } state)
            return started;
        await progress.WriteLineAsync($"new master {newPid} started by master {state.OldMasterPid}; waiting until it serves");
        oldSocket = state.OldMasterSocket ?? oldSocket;

        string? failure = await WaitUntilServingAsync(newPid, state.NewMasterSocket, timeout);
        if (failure is not null)
        {
            bool stillRunning = IsAlive(newPid);
            if (stillRunning)
                await TryAskAsync(oldSocket, new ControlRequest { Command = ControlCommands.Upgrade, Step = ControlCommands.UpgradeRollback });
            return ControlReply.Failed($"upgrade rolled back: {failure}; the old master {state.OldMasterPid} serves on"
                + (stillRunning ? $" and the new master {newPid} is stopped (TERM)" : "") + " (the server's log says why)");
        }
        await progress.WriteLineAsync($"new master {newPid} serves; stopping the workers of the old master {state.OldMasterPid} gracefully (WINCH)");

        var (_, finished) = await ControlClient.AskAsync(oldSocket, new ControlRequest { Command = ControlCommands.Upgrade, Step = ControlCommands.UpgradeFinish });
        if (!finished.Ok)
            return finished;
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var (_, status) = await ControlClient.AskAsync(oldSocket, new ControlRequest { Command = ControlCommands.Status });
            if (status.Status is { Workers: 0 })
                break;
            if (DateTime.UtcNow > deadline)
            {
                return ControlReply.Failed(
                    $"the old master {state.OldMasterPid} still has {status.Status?.Workers} workers after {timeout.TotalSeconds:0}s; the new master {newPid} serves. Stop the old one with 'tunicorn ctl -s {oldSocket} stop'");
            }
            await Task.Delay(Poll);
        }
        await progress.WriteLineAsync($"the old master {state.OldMasterPid} has no workers left; stopping it (QUIT)");
        // A master that stops may close the connection before its reply is written: its exit is the answer that counts.
        var stopped = await TryAskAsync(oldSocket, new ControlRequest { Command = ControlCommands.Stop, Quick = true });
        if (stopped is { Ok: false })
            return stopped;
        while (IsAlive(state.OldMasterPid) && DateTime.UtcNow < deadline)
            await Task.Delay(Poll);
        return new ControlReply
        {
            Ok = true,
            Message = $"upgraded: new master {newPid} serves; old master {state.OldMasterPid} " + (IsAlive(state.OldMasterPid) ? "is stopping" : "stopped"),
            Upgrade = state with { OldMasterTargetWorkers = 0 },
        };
    }

    /// <summary><c>--rollback</c>: the old master's workers start again (if WINCH stopped them) and its new master is stopped.</summary>
    public static async Task<ControlReply> RollBackAsync(string oldSocket, TimeSpan timeout)
    {
        var (_, reply) = await ControlClient.AskAsync(oldSocket, new ControlRequest { Command = ControlCommands.Upgrade, Step = ControlCommands.UpgradeRollback });
        if (!reply.Ok || reply.Upgrade is not { NewMasterPid: int newPid })
            return reply;
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive(newPid) && DateTime.UtcNow < deadline)
            await Task.Delay(Poll);
        return IsAlive(newPid)
            ? ControlReply.Failed($"the new master {newPid} did not stop within {timeout.TotalSeconds:0}s of TERM; the old master serves")
            : reply with { Message = $"rolled back: the new master {newPid} stopped; the old master {reply.Upgrade.OldMasterPid} serves" };
    }

    /// <returns>Null once the new master serves; otherwise why it does not.</returns>
    private static async Task<string?> WaitUntilServingAsync(int pid, string? socket, TimeSpan timeout)
    {
        if (socket is null)
            return "the old master serves no control socket, so the new master's cannot be found";
        var deadline = DateTime.UtcNow + timeout;
        string last = "its control socket did not answer";
        while (DateTime.UtcNow < deadline)
        {
            if (!IsAlive(pid))
                return $"the new master {pid} exited before it served";
            var status = await TryAskAsync(socket, new ControlRequest { Command = ControlCommands.Status });
            var workers = await TryAskAsync(socket, new ControlRequest { Command = ControlCommands.Workers });
            if (status?.Status is { } s && workers?.Workers is { } list)
            {
                if (s.Pid != pid)
                    return $"{socket} is served by pid {s.Pid}, not by the new master {pid}";
                int booted = list.Count(w => w.Booted && !w.Retiring && w.Generation == s.Generation);
                if (booted >= s.TargetWorkers && s.ReloadingGeneration is null)
                    return null;
                last = string.Create(CultureInfo.InvariantCulture, $"{booted} of its {s.TargetWorkers} workers booted");
            }
            await Task.Delay(Poll);
        }
        return $"the new master {pid} did not serve within {timeout.TotalSeconds:0}s ({last})";
    }

    private static async Task<ControlReply?> TryAskAsync(string socket, ControlRequest request)
    {
        try
        {
            return (await ControlClient.AskAsync(socket, request)).Reply;
        }
        catch (ControlUnreachableException)
        {
            return null;
        }
    }

    private static bool IsAlive(int pid) => Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));
}
