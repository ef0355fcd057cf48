namespace Tunicorn.Config;

/// <summary>The worker classes (DESIGN.md "Worker classes").</summary>
public enum WorkerClass
{
    Sync,
    Threaded,
    Async,
}
