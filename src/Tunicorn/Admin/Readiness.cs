namespace Tunicorn.Admin;

/// <summary>The answer of /readyz: ready, or why not.</summary>
internal readonly record struct Readiness(bool Ready, string Reason)
{
    public static Readiness Of(bool stopping, int acceptingWorkers) =>
        stopping ? new(false, "stopping")
        : acceptingWorkers == 0 ? new(false, "no worker accepts connections")
        : new(true, $"{acceptingWorkers} workers accept connections");
}
