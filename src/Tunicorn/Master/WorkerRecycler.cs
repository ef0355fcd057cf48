using System.Globalization;
using Microsoft.Extensions.Logging;
using Tunicorn.Config;

namespace Tunicorn.Master;

/// <summary>
/// Recycling by memory and by age (max_worker_memory, max_worker_lifetime): on the arbiter's passes, marks a worker
/// over a limit to be replaced (<see cref="WorkerProcess.ReplaceReason"/>); the arbiter then starts its replacement
/// first and retires it once that one accepts, and its connections move (handoff), as for a worker that asked.
/// </summary>
/// <remarks>
/// Memory is the worker's private memory from /proc/PID/smaps_rollup (PLATFORM-NOTES: RSS counts the runtime's
/// shared file-backed pages in every worker), read every <see cref="MemoryInterval"/> only when the limit is set, so
/// that a steady master with no limit reads nothing and allocates nothing.
/// </remarks>
internal sealed partial class WorkerRecycler(TimeProvider time, ILogger log, Func<int, long?>? privateBytes = null)
{
    public static readonly TimeSpan MemoryInterval = TimeSpan.FromSeconds(2);
    /// <summary>The most a worker's lifetime is lengthened by, drawn once per worker, so that workers started together part.</summary>
    private const double LifetimeJitter = 0.10;

    private readonly Func<int, long?> _privateBytes = privateBytes ?? PrivateBytes;
    private readonly Dictionary<int, double> _jitter = [];
    private long _lastMemoryCheck;

    /// <summary>
    /// Marks the workers of <paramref name="generation"/> (and of <paramref name="stranded"/>, the generations of stopped
    /// rollouts whose workers keep serving beside it) over a limit of <paramref name="settings"/> to be replaced.
    /// </summary>
    public void Check(IEnumerable<WorkerProcess> workers, Settings settings, int generation, IReadOnlyCollection<int>? stranded = null)
    {
        double lifetime = settings.MaxWorkerLifetime;
        int memoryLimit = settings.MaxWorkerMemory;
        if (lifetime <= 0 && memoryLimit <= 0)
            return;
        long now = time.GetTimestamp();
        bool readMemory = memoryLimit > 0 && time.GetElapsedTime(_lastMemoryCheck, now) >= MemoryInterval;
        if (readMemory)
            _lastMemoryCheck = now;
        foreach (var w in workers)
        {
            if ((w.Generation != generation && stranded?.Contains(w.Generation) != true) || !w.Booted || w.Retiring || w.Exited || w.ReplaceReason is not null)
                continue;
            if (lifetime > 0)
            {
                if (!_jitter.TryGetValue(w.Pid, out double jitter))
                    _jitter[w.Pid] = jitter = Random.Shared.NextDouble() * LifetimeJitter;
                double limit = lifetime * (1 + jitter);
                double age = time.GetElapsedTime(w.SpawnedAt, now).TotalSeconds;
                if (age >= limit)
                {
                    Replace(w, string.Create(CultureInfo.InvariantCulture, $"it has run {age:0}s, max_worker_lifetime {lifetime}s (+{jitter:P0} jitter)"));
                    continue;
                }
            }
            if (readMemory && _privateBytes(w.Pid) is long bytes && bytes > (long)memoryLimit * 1024 * 1024)
                Replace(w, $"private memory {bytes / (1024 * 1024)} MiB over max_worker_memory {memoryLimit} MiB");
        }
        if (_jitter.Count > 0 && lifetime > 0)
            Forget(workers);
    }

    private void Replace(WorkerProcess worker, string reason)
    {
        worker.ReplaceReason = reason;
        Replacing(log, worker.Pid, reason);
    }

    /// <summary>Drops the jitter of workers that are gone.</summary>
    private void Forget(IEnumerable<WorkerProcess> workers)
    {
        if (_jitter.Count <= workers.Count())
            return;
        var alive = workers.Select(w => w.Pid).ToHashSet();
        foreach (int pid in _jitter.Keys.Where(pid => !alive.Contains(pid)).ToList())
            _jitter.Remove(pid);
    }

    /// <returns>Private_Clean + Private_Dirty of the process in bytes, or null when it is gone or the file unreadable.</returns>
    internal static long? PrivateBytes(int pid)
    {
        try
        {
            long kb = 0;
            bool found = false;
            foreach (string line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
            {
                if (!line.StartsWith("Private_", StringComparison.Ordinal))
                    continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
                {
                    kb += value;
                    found = true;
                }
            }
            return found ? kb * 1024 : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 1152, Level = LogLevel.Warning,
        Message = "Replacing worker (pid: {Pid}): {Reason}; starting a new worker first, then its connections move")]
    private static partial void Replacing(ILogger logger, int pid, string reason);
}
