using Tunicorn.Systemd;

namespace Tunicorn.Tests.Systemd;

/// <summary>Records what the arbiter would send to systemd.</summary>
internal sealed class RecordingNotifier(TimeSpan? watchdogInterval = null) : IServiceNotifier
{
    private readonly List<string> _messages = [];

    public TimeSpan? WatchdogInterval { get; } = watchdogInterval;

    public IReadOnlyList<string> Messages => _messages;

    /// <summary>The messages whose first assignment is <paramref name="first"/> (e.g. "READY=1").</summary>
    public IReadOnlyList<string> Starting(string first) => _messages.Where(m => m.Split('\n')[0] == first).ToList();

    public void Notify(string message) => _messages.Add(message);

    public string Dump() => string.Join(" | ", _messages.Select(m => m.Replace('\n', ';')));
}
