using Tunicorn.TestSupport;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>
/// Free loopback ports for this project's servers, from its own range of the shared <see cref="FreePortRange"/>
/// (never handed out twice in this process, never in the ephemeral range).
/// </summary>
internal static class FreePort
{
    public static int Next() => FreePortRange.IntegrationTests.Next();
}
