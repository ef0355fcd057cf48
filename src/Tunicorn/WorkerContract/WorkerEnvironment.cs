using System.Globalization;

namespace Tunicorn.WorkerContract;

/// <summary>
/// What a master tells a worker process it starts, through environment variables: the inherited descriptors
/// (listeners, control socket, hand-off channel), the worker's age, and the settings of its generation.
/// </summary>
/// <param name="HandOffFd">The worker's end of its hand-off channel (connections moved between workers); -1 for none.</param>
internal sealed record WorkerEnvironment(int MasterPid, int Age, int ControlFd, IReadOnlyList<int> ListenerFds, IReadOnlyList<string> ListenerNames, string SerializedSettings,
    int BoardFd, int BoardSlot, int HandOffFd = -1)
{
    /// <summary>Set in a worker's environment; its presence makes the host run as a worker.</summary>
    public const string WorkerVariable = "TUNICORN_WORKER";
    public const string SettingsVariable = "TUNICORN_WORKER_SETTINGS";

    public static bool IsWorkerProcess => Environment.GetEnvironmentVariable(WorkerVariable) is not null;

    public void AddTo(IDictionary<string, string?> environment)
    {
        environment[WorkerVariable] = string.Join(';',
            $"master={MasterPid.ToString(CultureInfo.InvariantCulture)}",
            $"age={Age.ToString(CultureInfo.InvariantCulture)}",
            $"control={ControlFd.ToString(CultureInfo.InvariantCulture)}",
            "listeners=" + string.Join(',', ListenerFds.Select(fd => fd.ToString(CultureInfo.InvariantCulture))),
            "names=" + string.Join(',', ListenerNames.Select(Uri.EscapeDataString)),
            $"board={BoardFd.ToString(CultureInfo.InvariantCulture)}",
            $"slot={BoardSlot.ToString(CultureInfo.InvariantCulture)}",
            $"handoff={HandOffFd.ToString(CultureInfo.InvariantCulture)}");
        environment[SettingsVariable] = SerializedSettings;
    }

    /// <summary>Reads and then removes the variables, so that processes the app starts do not think they are workers.</summary>
    public static WorkerEnvironment ReadAndClear()
    {
        string spec = Environment.GetEnvironmentVariable(WorkerVariable) ?? throw new InvalidOperationException($"{WorkerVariable} is not set");
        string settings = Environment.GetEnvironmentVariable(SettingsVariable) ?? throw new InvalidOperationException($"{SettingsVariable} is not set");
        Environment.SetEnvironmentVariable(WorkerVariable, null);
        Environment.SetEnvironmentVariable(SettingsVariable, null);

        var fields = spec.Split(';').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
        static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
        return new WorkerEnvironment(
            Int(fields["master"]),
            Int(fields["age"]),
            Int(fields["control"]),
            fields["listeners"].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Int).ToArray(),
            fields["names"].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray(),
            settings,
            Int(fields["board"]),
            Int(fields["slot"]),
            fields.TryGetValue("handoff", out string? handOff) ? Int(handOff) : -1);
    }
}
