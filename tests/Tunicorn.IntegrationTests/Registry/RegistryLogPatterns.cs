using System.Text.RegularExpressions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>The registry's log lines the tests wait on (src/Tunicorn/Registry/RegistryLog.cs).</summary>
internal static class RegistryLogPatterns
{
    private const RegexOptions Options = RegexOptions.CultureInvariant;

    public static readonly Regex Registered = new(@"Registered in (?<backend>\w+) \((?<hosts>[^)]*)\): (?<entries>.*)$", Options);

    public static readonly Regex RegisteredAgain = new(@"Registered again in (?<backend>\w+)", Options);

    public static readonly Regex Unavailable = new(@"Service registry (?<backend>\w+) \([^)]*\) unavailable: .*serving anyway", Options);

    public static readonly Regex Deregistered = new(@"Deregistered from (?<backend>\w+): ", Options);
}
