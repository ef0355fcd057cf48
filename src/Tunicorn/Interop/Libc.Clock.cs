using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>The clock systemd compares reload timestamps against (see <see cref="MonotonicClock"/>).</summary>
internal static partial class Libc
{
    public const int CLOCK_MONOTONIC = 1;

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int clock_gettime(int clockId, long* timespec);
}
