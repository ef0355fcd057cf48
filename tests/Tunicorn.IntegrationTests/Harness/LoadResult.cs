using System.Globalization;
using System.Text.Json;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>The JSON summary of tests/clients/python/load_client.py.</summary>
internal sealed record LoadResult(long Calls, long Failures, long Retries, IReadOnlyDictionary<int, long> Pids, IReadOnlyList<string> Errors, string Raw)
{
    /// <summary>The fewest calls answered on any one connection of the run (0 when one got none).</summary>
    public long ConnectionCallsMin { get; init; }

    /// <summary>Connections opened in the run: in persistent mode, more than one per connection thread means reconnects.</summary>
    public long Connects { get; init; }

    public static LoadResult From(PythonResult result)
    {
        var json = result.Json;
        var pids = json.GetProperty("pids").EnumerateObject()
            .ToDictionary(p => int.Parse(p.Name, CultureInfo.InvariantCulture), p => p.Value.GetInt64());
        var errors = json.GetProperty("errors").EnumerateArray().Select(e => e.GetString() ?? "").ToArray();
        return new LoadResult(
            json.GetProperty("calls").GetInt64(),
            json.GetProperty("failures").GetInt64(),
            json.GetProperty("retries").GetInt64(),
            pids,
            errors,
            json.GetRawText())
        {
            ConnectionCallsMin = json.GetProperty("connection_calls_min").GetInt64(),
            Connects = json.TryGetProperty("connects", out var connects) ? connects.GetInt64() : 0,
        };
    }

    public override string ToString() => Raw;
}
