using System.Globalization;

namespace Tunicorn.Control;

/// <summary>A process's resident memory, from /proc (read off the arbiter's loop: a file read per worker).</summary>
internal static class ProcessMemory
{
    /// <summary>
    /// The second field of /proc/PID/statm (resident pages), the number VmRSS and Environment.WorkingSet give. Parsed
    /// from a stack buffer through a bare handle: a worker's heap watch reads its own at boot, where a stream, a reader
    /// or System.Diagnostics.Process (which Environment.WorkingSet reaches by reflection) cost it milliseconds.
    /// </summary>
    /// <returns>Bytes, or null when the process is gone or the file cannot be read.</returns>
    public static long? ResidentBytes(int pid)
    {
        try
        {
            using var handle = File.OpenHandle("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/statm");
            Span<byte> text = stackalloc byte[256];
            int length = RandomAccess.Read(handle, text, 0);
            // "size resident shared text lib data dt"
            int field = 0;
            long pages = 0;
            foreach (byte c in text[..length])
            {
                if (c == (byte)' ')
                {
                    if (++field > 1)
                        return pages * Environment.SystemPageSize;
                }
                else if (field == 1 && c is >= (byte)'0' and <= (byte)'9')
                {
                    pages = pages * 10 + (c - '0');
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }
}
