using System.Text;
using System.Text.RegularExpressions;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>Lines captured from a child process's output, appended from reader threads and read by tests.</summary>
internal sealed class LogBuffer
{
    private readonly List<string> lines = [];
    private readonly Lock gate = new();

    public int Count
    {
        get
        {
            lock (gate)
                return lines.Count;
        }
    }

    public void Add(string line)
    {
        lock (gate)
            lines.Add(line);
    }

    /// <summary>The lines from index <paramref name="from"/> on.</summary>
    public IReadOnlyList<string> Snapshot(int from = 0)
    {
        lock (gate)
            return lines.Skip(from).ToArray();
    }

    /// <summary>Every match of <paramref name="pattern"/> in the lines from <paramref name="from"/> on.</summary>
    public IReadOnlyList<Match> Matches(Regex pattern, int from = 0) =>
        Snapshot(from).Select(line => pattern.Match(line)).Where(m => m.Success).ToArray();

    /// <summary>The first match at or after <paramref name="from"/>, or null.</summary>
    public Match? FirstMatch(Regex pattern, int from = 0) =>
        Snapshot(from).Select(line => pattern.Match(line)).FirstOrDefault(m => m.Success);

    public string Tail(int count = 60)
    {
        var snapshot = Snapshot();
        var text = new StringBuilder();
        text.AppendLine($"--- last {Math.Min(count, snapshot.Count)} of {snapshot.Count} lines ---");
        foreach (string line in snapshot.Skip(Math.Max(0, snapshot.Count - count)))
            text.AppendLine(line);
        return text.ToString();
    }
}
