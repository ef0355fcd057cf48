using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>
/// epoll, for the worker's own readiness loop (<see cref="IO.ReadinessLoop"/>). .NET's socket engine uses epoll too,
/// but offers no way to wait for readiness without also reading, so it cannot skip the read that finds nothing.
/// </summary>
internal static partial class Epoll
{
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const int EPOLL_CTL_MOD = 3;
    public const uint EPOLLIN = 0x001;
    public const uint EPOLLOUT = 0x004;
    public const uint EPOLLERR = 0x008;
    public const uint EPOLLHUP = 0x010;
    public const uint EPOLLRDHUP = 0x2000;
    public const uint EPOLLET = 1u << 31;
    public const int EINTR = 4;

    /// <summary>
    /// struct epoll_event is packed on x86-64 (12 bytes, the data right after the 4-byte mask) and naturally aligned
    /// elsewhere (16 bytes): the layout is chosen at run time instead of with two struct types.
    /// </summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int epoll_ctl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    public static unsafe int Control(int epfd, int op, int fd, uint events, ulong data)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + DataOffset) = data;
        return epoll_ctl(epfd, op, fd, ev);
    }

    public static unsafe uint EventsAt(byte* events, int index) => *(uint*)(events + index * EventSize);

    public static unsafe ulong DataAt(byte* events, int index) => *(ulong*)(events + index * EventSize + DataOffset);
}
