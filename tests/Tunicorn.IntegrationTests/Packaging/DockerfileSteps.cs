using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tunicorn.IntegrationTests.Packaging;

/// <summary>
/// A Dockerfile read as steps, for machines with no container engine and no Dockerfile linter (this one): the test
/// runs its build stage's <c>dotnet</c> steps in the build context, with each container path (/app, /tools) mapped to a
/// folder of the test, and runs its ENTRYPOINT and CMD the same way. The <c>apt-get</c> steps are not run: the test
/// machine has those packages already (scripts/install-deps.sh).
/// </summary>
internal sealed partial class DockerfileSteps
{
    private DockerfileSteps(IReadOnlyList<Stage> stages) => Stages = stages;

    public IReadOnlyList<Stage> Stages { get; }

    public Stage Final => Stages[^1];

    public static DockerfileSteps Parse(string path)
    {
        var stages = new List<Stage>();
        // Continuation lines (trailing backslash) join into one instruction; comments and blank lines go.
        string text = ContinuationRegex().Replace(File.ReadAllText(path), " ");
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            int space = line.IndexOf(' ');
            string instruction = line[..space].ToUpperInvariant();
            string argument = line[(space + 1)..].Trim();
            if (instruction == "FROM")
            {
                var from = FromRegex().Match(argument);
                stages.Add(new Stage(from.Groups["image"].Value, from.Groups["name"].Value));
                continue;
            }
            if (stages.Count == 0)
                throw new FormatException($"{path}: {instruction} before the first FROM");
            stages[^1].Instructions.Add((instruction, argument));
        }
        return new DockerfileSteps(stages);
    }

    /// <summary>One FROM and the instructions under it.</summary>
    internal sealed class Stage(string image, string name)
    {
        public string Image { get; } = image;

        public string Name { get; } = name;

        public List<(string Instruction, string Argument)> Instructions { get; } = [];

        public IEnumerable<string> All(string instruction) =>
            Instructions.Where(i => i.Instruction == instruction).Select(i => i.Argument);

        public string? Last(string instruction) => All(instruction).LastOrDefault();

        /// <summary>An exec-form (JSON array) ENTRYPOINT or CMD; null when absent.</summary>
        public string[]? ExecForm(string instruction) =>
            Last(instruction) is { } json ? JsonSerializer.Deserialize<string[]>(json) : null;
    }

    /// <summary>Maps container paths (/app, /tools, ...) to folders on this machine, longest prefix first.</summary>
    public static string Map(string text, IReadOnlyDictionary<string, string> paths)
    {
        foreach (var (container, local) in paths.OrderByDescending(p => p.Key.Length))
            text = Regex.Replace(text, $@"(?<=^|[\s""'=]){Regex.Escape(container)}(?=/|$|[\s""'])", local.Replace("$", "$$", StringComparison.Ordinal));
        return text;
    }

    [GeneratedRegex(@"\\\r?\n")]
    private static partial Regex ContinuationRegex();

    [GeneratedRegex(@"^(?<image>\S+)(\s+AS\s+(?<name>\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex FromRegex();
}
