using System.Globalization;

namespace Tunicorn.WorkerContract;

/// <summary>
/// What a master tells a worker process it starts, through environment variables: the inherited descriptors
/// (listeners, control socket, hand-off channel), the worker's age, and the settings of its generation.
/// </summary>
/// <param name="HandOffFd">The worker's end of its hand-off channel (connections moved between workers); -1 for none.</param>
internal sealed record WorkerEnvironment(int MasterPid, int Age, int ControlFd, IReadOnlyList<int> ListenerFds, string SerializedSettings,
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

        // Plain loops: every generic instantiation a new worker touches here is one more the runtime builds before the first call.
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in spec.Split(';'))
        {
            int equals = pair.IndexOf('=');
            fields[equals < 0 ? pair : pair[..equals]] = equals < 0 ? "" : pair[(equals + 1)..];
        }
        static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
        string[] listeners = fields["listeners"].Split(',', StringSplitOptions.RemoveEmptyEntries);
        var listenerFds = new int[listeners.Length];
        for (int i = 0; i < listeners.Length; i++)
            listenerFds[i] = Int(listeners[i]);
        return new WorkerEnvironment(
            Int(fields["master"]),
            Int(fields["age"]),
            Int(fields["control"]),
            listenerFds,
            settings,
            Int(fields["board"]),
            Int(fields["slot"]),
            fields.TryGetValue("handoff", out string? handOff) ? Int(handOff) : -1);
    }
}
