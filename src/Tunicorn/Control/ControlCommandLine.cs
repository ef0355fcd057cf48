using System.CommandLine;
using System.CommandLine.Help;

namespace Tunicorn.Control;

/// <summary>
/// <c>tunicorn ctl VERB</c>: steers a running server through its control socket (docs/control.md). Exit status 0 when the
/// server did it, 1 when it answered with an error, 2 for a usage error, 3 when no server could be asked.
/// </summary>
internal static class ControlCommandLine
{
    public const string Verb = "ctl";

    private const int Refused = 1;
    private const int Usage = 2;
    private const int Unreachable = 3;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter errors)
    {
        var socket = new Option<string?>("--socket", "-s") { Description = "The control socket of the server to steer", HelpName = "PATH", Recursive = true };
        var pid = new Option<int?>("--pid") { Description = "The master pid of the server to steer (its socket in the runtime folder)", Recursive = true };
        var json = new Option<bool>("--json") { Description = "Print the server's JSON reply instead of a table", Recursive = true };
        var count = new Argument<int>("N") { Description = $"How many workers (1 to {ControlCommands.MaxCount})" };
        var workerPid = new Argument<int>("PID") { Description = "The worker's pid (see tunicorn ctl workers)" };
        var quick = new Option<bool>("--quick") { Description = "Stop quickly (as QUIT) instead of gracefully (as TERM)" };
        var rollback = new Option<bool>("--rollback") { Description = "Roll back the upgrade in progress: the old master's workers start again, the new master stops (TERM)" };
        var upgradeTimeout = new Option<int>("--timeout")
        {
            Description = "Seconds the new master has to serve (every worker booted) before the upgrade is rolled back",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => 60,
        };
        var upgrade = new Command(ControlCommands.Upgrade,
            "Binary upgrade (as USR2, then WINCH and QUIT of the old master once the new one serves); rolled back on failure") { rollback, upgradeTimeout };

        var ctl = new Command(Verb, "Steer a running tunicorn server through its control socket.") { new HelpOption(), new VersionOption(), socket, pid, json };
        // Under a root of our own rather than a RootCommand, which takes the executable's name (Tunicorn.Cli): help shows
        // the command as the docs write it, "tunicorn ctl".
        var root = new Command("tunicorn") { ctl };
        var verbs = new Dictionary<Command, Func<ParseResult, ControlRequest>>
        {
            [new Command(ControlCommands.Status, "Master pid, uptime, generation, listeners, settings file")] = _ => new() { Command = ControlCommands.Status },
            [new Command(ControlCommands.Workers, "Each worker: pid, generation, age, calls served and in flight, connections, memory")] =
                _ => new() { Command = ControlCommands.Workers },
            [new Command(ControlCommands.Add, "Start N more workers (as N times TTIN)") { count }] = r => new() { Command = ControlCommands.Add, Count = r.GetValue(count) },
            [new Command(ControlCommands.Remove, "Stop N workers, the oldest first (as N times TTOU)") { count }] =
                r => new() { Command = ControlCommands.Remove, Count = r.GetValue(count) },
            [new Command(ControlCommands.Kill, "Stop one worker gracefully; a new one replaces it") { workerPid }] =
                r => new() { Command = ControlCommands.Kill, Pid = r.GetValue(workerPid) },
            [new Command(ControlCommands.Reload, "Reload settings and app, replace the workers (as HUP)")] = _ => new() { Command = ControlCommands.Reload },
            [new Command(ControlCommands.Reopen, "Reopen the log files (as USR1)")] = _ => new() { Command = ControlCommands.Reopen },
            [new Command(ControlCommands.Stop, "Stop the server gracefully (as TERM), or quickly with --quick (as QUIT)") { quick }] =
                r => new() { Command = ControlCommands.Stop, Quick = r.GetValue(quick) ? true : null },
            [new Command(ControlCommands.Config, "The settings the server runs with")] = _ => new() { Command = ControlCommands.Config },
        };
        foreach (var verb in verbs.Keys)
            ctl.Subcommands.Add(verb);
        ctl.Subcommands.Add(upgrade);
        verbs[upgrade] = _ => new() { Command = ControlCommands.Upgrade };

        var result = root.Parse([Verb, .. args], new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
                await errors.WriteLineAsync($"tunicorn ctl: error: {error.Message}");
            await errors.WriteLineAsync("Try 'tunicorn ctl --help'.");
            return Usage;
        }
        if (result.Action is not null || !verbs.TryGetValue(result.CommandResult.Command, out var build))
        {
            // --help (also after a verb: "ctl status --help" asks nothing of the server) or --version: System.CommandLine answers.
            var invocation = new InvocationConfiguration { Output = output, Error = errors };
            int code = await result.InvokeAsync(invocation);
            return result.Action is null ? Usage : code;
        }

        string path;
        try
        {
            path = PickServer(result.GetValue(socket), result.GetValue(pid));
        }
        catch (ControlUnreachableException e)
        {
            await errors.WriteLineAsync($"tunicorn ctl: error: {e.Message}");
            return Unreachable;
        }
        var request = build(result);
        try
        {
            var (line, reply) = request.Command == ControlCommands.Upgrade
                ? Line(await RunUpgradeAsync(path, result.GetValue(rollback), TimeSpan.FromSeconds(Math.Max(1, result.GetValue(upgradeTimeout))),
                    result.GetValue(json) ? TextWriter.Null : output))
                : await ControlClient.AskAsync(path, request);
            if (result.GetValue(json))
                await output.WriteLineAsync(line);
            else if (reply.Ok)
                await output.WriteAsync(ControlTables.Format(request.Command, reply));
            if (!reply.Ok)
            {
                if (!result.GetValue(json))
                    await errors.WriteLineAsync($"tunicorn ctl: error: {reply.Error}");
                return Refused;
            }
            return 0;
        }
        catch (ControlUnreachableException e)
        {
            await errors.WriteLineAsync($"tunicorn ctl: error: {e.Message}");
            return Unreachable;
        }
    }

    private static Task<ControlReply> RunUpgradeAsync(string path, bool rollback, TimeSpan timeout, TextWriter progress) =>
        rollback ? UpgradeProcedure.RollBackAsync(path, timeout) : UpgradeProcedure.RunAsync(path, timeout, progress);

    /// <summary>A reply built here, as the JSON line a server would have sent.</summary>
    private static (string Line, ControlReply Reply) Line(ControlReply reply) =>
        (System.Text.Json.JsonSerializer.Serialize(reply, ControlJsonContext.Default.ControlReply), reply);

    /// <summary>-s PATH, else --pid PID, else the only server of this user found in the runtime folder.</summary>
    private static string PickServer(string? socket, int? pid)
    {
        if (socket is { Length: > 0 })
            return socket;
        string folder = ControlSocketPaths.Folder(Environment.GetEnvironmentVariable);
        if (pid is int masterPid)
        {
            string path = ControlSocketPaths.Default(masterPid, Environment.GetEnvironmentVariable);
            return File.Exists(path) ? path
                : throw new ControlUnreachableException($"no server: no control socket of pid {masterPid} in {folder} (if it sets control_socket, pass -s PATH)");
        }
        var found = ControlSocketPaths.FindServers(folder);
        return found.Count switch
        {
            1 => found[0],
            0 => throw new ControlUnreachableException($"no server: no control socket of yours in {folder} (pass -s PATH when the server sets control_socket)"),
            _ => throw new ControlUnreachableException(
                $"{found.Count} servers run: pick one with --pid ({string.Join(", ", found.Select(f => ControlSocketPaths.PidOf(f)))}) or -s PATH"),
        };
    }
}
