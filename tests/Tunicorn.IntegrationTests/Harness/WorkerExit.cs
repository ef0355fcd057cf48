using System.Globalization;
using System.Text.RegularExpressions;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>A <c>Worker exiting</c> line: how many calls the worker read and how many it answered.</summary>
internal sealed record WorkerExit(int Pid, long CallsRead, long CallsAnswered)
{
    public static WorkerExit FromMatch(Match match) => new(
        int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture),
        long.Parse(match.Groups["read"].Value, CultureInfo.InvariantCulture),
        long.Parse(match.Groups["answered"].Value, CultureInfo.InvariantCulture));
}
