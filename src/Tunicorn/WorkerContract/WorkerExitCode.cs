namespace Tunicorn.WorkerContract;

/// <summary>
/// Exit statuses of a worker process. Gunicorn's numbers where gunicorn has them. None is 128 or above:
/// PLATFORM-NOTES: .NET reports a death by signal N as 128 + N, so codes above 128 mean "killed by a signal".
/// </summary>
internal enum WorkerExitCode
{
    Normal = 0,
    /// <summary>An unexpected fault, or SIGABRT from the master after a timeout.</summary>
    Error = 1,
    /// <summary>The worker could not start (bad listener fd, bad settings, no such user, a hooks class that cannot be loaded). A throwing post_fork is not one: it is logged and the worker boots.</summary>
    BootError = 3,
    /// <summary>The APP could not be loaded.</summary>
    AppLoadError = 4,
}
