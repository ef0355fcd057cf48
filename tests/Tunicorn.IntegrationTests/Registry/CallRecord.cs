namespace Tunicorn.IntegrationTests.Registry;

/// <summary>One call of a <see cref="CallLoad"/>: when it started and ended (Stopwatch timestamps), who answered, or why it failed.</summary>
internal sealed record CallRecord(long Start, long End, int? WorkerPid, Exception? Error)
{
    public bool Failed => Error is not null;
}
