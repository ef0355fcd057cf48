using System.Text.Json;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>What a Python client printed: its exit code, output, and the JSON line it ends with.</summary>
internal sealed record PythonResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The last stdout line, parsed as JSON.</summary>
    public JsonElement Json
    {
        get
        {
            string? last = Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            if (last is null)
                throw new InvalidOperationException($"the client printed no JSON (exit {ExitCode}); stderr:{Environment.NewLine}{Stderr}");
            using var document = JsonDocument.Parse(last);
            return document.RootElement.Clone();
        }
    }

    public override string ToString() => $"exit {ExitCode}{Environment.NewLine}stdout: {Stdout}{Environment.NewLine}stderr: {Stderr}";
}
