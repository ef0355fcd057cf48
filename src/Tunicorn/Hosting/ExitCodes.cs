using Tunicorn.Worker;
using Tunicorn.WorkerContract;

namespace Tunicorn.Hosting;

/// <summary>
/// Exit statuses of the master (of the `tunicorn` command), as README.md and docs/signals.md list them. Like
/// gunicorn, a master halted by a worker that failed to boot exits with that worker's status (3 or 4).
/// </summary>
public static class ExitCodes
{
    /// <summary>Stopped on request, or --help, --version, --print-config, a passing --check-config.</summary>
    public const int Ok = 0;

    /// <summary>The settings were valid but something failed at run time: a port in use, a file the system refused.</summary>
    public const int RuntimeFailure = 1;

    /// <summary>Usage error or an invalid setting (including a path setting that cannot work); nothing was started.</summary>
    public const int InvalidSettings = 2;

    /// <summary>A worker failed to boot at start-up (hooks, listener, user switch).</summary>
    public const int BootError = (int)WorkerExitCode.BootError;

    /// <summary>The app failed to load.</summary>
    public const int AppLoadError = (int)WorkerExitCode.AppLoadError;
}
