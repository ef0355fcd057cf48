using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>
/// CLOCK_MONOTONIC read by name: systemd's MONOTONIC_USEC must be on that clock, and reading it here says so instead of
/// relying on how the runtime implements Stopwatch.
/// </summary>
internal static class MonotonicClock
{
    /// <summary>Microseconds of CLOCK_MONOTONIC.</summary>
    public static unsafe long NowMicroseconds()
    {
        // struct timespec on 64-bit Linux: two longs, seconds then nanoseconds.
        long* timespec = stackalloc long[2];
        if (Libc.clock_gettime(Libc.CLOCK_MONOTONIC, timespec) != 0)
            throw new InteropException("clock_gettime(CLOCK_MONOTONIC)", Marshal.GetLastPInvokeError());
        return timespec[0] * 1_000_000 + timespec[1] / 1_000;
    }
}
