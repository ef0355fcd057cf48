namespace Tunicorn.Control;

/// <summary>A process's resident memory, from /proc (read off the arbiter's loop: a file read per worker).</summary>
internal static class ProcessMemory
{
    /// <returns>VmRSS in bytes, or null when the process is gone or the line is missing.</returns>
    public static long? ResidentBytes(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length >= 2 && long.TryParse(parts[1], out long kb) ? kb * 1024 : null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }
}
