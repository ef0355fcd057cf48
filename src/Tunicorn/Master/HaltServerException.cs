namespace Tunicorn.Master;

/// <summary>A fault that must end the master (gunicorn's HaltServer), handled in one place by the arbiter.</summary>
internal sealed class HaltServerException(string reason, int exitCode) : Exception(reason)
{
    public int ExitCode { get; } = exitCode;
}
