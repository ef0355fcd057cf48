using System.Globalization;

namespace Tunicorn.Thrift;

/// <summary>
/// This process's private copies of the app assemblies it loads for good (a worker's app), so that the runtime maps
/// files nobody else writes: a deploy that overwrites the dll in place cannot change the code under a running
/// worker, and the runtime can still use the image's ReadyToRun code (which it ignores in an image loaded from bytes).
/// One folder per process, <c>$TMPDIR/tunicorn-app-PID-RANDOM</c>, mode 0700, made on the first copy and removed
/// when the process exits; the folders of processes that died without removing theirs (SIGKILL) are removed by the
/// next process that makes one, a second after it made it (off the boot of a new worker).
/// </summary>
internal static class PrivateAppFolder
{
    private const string Prefix = "tunicorn-app-";

    private static readonly Lock Gate = new();
    private static string? _root;
    private static int _contexts;
    private static Timer? _abandonedCleanup;

    /// <summary>Why the last copy failed (the app's bytes were loaded instead), for the worker to log once; null when none did.</summary>
    public static string? Failure { get; private set; }

    /// <summary>Records a copy that failed, as the operator should read it.</summary>
    public static void RecordFailure(string path, Exception e) =>
        Failure = $"cannot copy {path} into a private folder under {Path.GetTempPath()} ({e.Message}): the app's bytes are loaded instead, " +
            "without its ReadyToRun code; set TMPDIR to a writable folder";

    /// <summary>A subfolder of its own for each load context: two contexts may each load a different Foo.dll.</summary>
    public static int NewContextId() => Interlocked.Increment(ref _contexts);

    /// <summary>
    /// Copies <paramref name="path"/> (and the .pdb beside it, for line numbers in stack traces) into the context's
    /// subfolder and returns the copy's path; the same source twice in one context gives the first copy.
    /// </summary>
    public static string Copy(int contextId, string path)
    {
        string folder = Path.Combine(Root(), contextId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        string copy = Path.Combine(folder, Path.GetFileName(path));
        if (File.Exists(copy))
            return copy;
        // Written beside and renamed, so a copy that exists is whole even if a concurrent load raced this one.
        string partial = copy + ".partial-" + Environment.CurrentManagedThreadId.ToString(CultureInfo.InvariantCulture);
        File.Copy(path, partial, overwrite: true);
        string symbols = Path.ChangeExtension(path, ".pdb");
        if (File.Exists(symbols))
            File.Copy(symbols, Path.ChangeExtension(copy, ".pdb"), overwrite: true);
        File.Move(partial, copy, overwrite: true);
        return copy;
    }

    /// <summary>The process's folder, made (and the process-exit removal registered) on first use.</summary>
    private static string Root()
    {
        lock (Gate)
        {
            if (_root is not null && Directory.Exists(_root))
                return _root;
            string temp = Path.GetTempPath();
            RemoveAbandonedLater(temp);
            // CreateTempSubdirectory makes it with mode 0700 (mkdtemp): no other user can read or replace the copies.
            _root = Directory.CreateTempSubdirectory($"{Prefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-").FullName;
            string mine = _root;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(mine);
            return _root;
        }
    }

    /// <summary>
    /// <see cref="RemoveAbandoned"/> a moment after the worker's boot, not during it: it reads every entry of the
    /// temporary folder (8 000 on a busy machine took a new worker ~6 ms of CPU before its first call).
    /// </summary>
    /// <remarks>Called under <see cref="Gate"/>. The field keeps the timer alive until it fires.</remarks>
    private static void RemoveAbandonedLater(string temp) =>
        _abandonedCleanup = new Timer(static state => RemoveAbandoned((string)state!), temp, AbandonedCleanupDelay, Timeout.InfiniteTimeSpan);

    /// <summary>How long after its first copy a process looks for abandoned folders.</summary>
    private static readonly TimeSpan AbandonedCleanupDelay = TimeSpan.FromSeconds(1);

    /// <summary>Removes the folders (in <paramref name="temp"/>) of processes that no longer run.</summary>
    internal static void RemoveAbandoned(string temp)
    {
        IEnumerable<string> folders;
        try
        {
            folders = Directory.EnumerateDirectories(temp, Prefix + "*").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (string folder in folders)
        {
            if (OwnerPid(Path.GetFileName(folder)) is int pid && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
                TryDelete(folder);
        }
    }

    /// <summary>PID of <c>tunicorn-app-PID-RANDOM</c>, or null for a name of another shape.</summary>
    internal static int? OwnerPid(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            return null;
        string rest = name[Prefix.Length..];
        int dash = rest.IndexOf('-');
        return dash > 0 && int.TryParse(rest.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0 ? pid : null;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another user's folder, or one being removed by another process: not ours to worry about.
        }
    }
}
