using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>The libc calls .NET has no API for. Every P/Invoke of Tunicorn lives in this folder.</summary>
internal static partial class Libc
{
    public const int F_GETFD = 1;
    public const int F_SETFD = 2;
    public const int FD_CLOEXEC = 1;
    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_CLOEXEC = 0x80000;
    public const uint CLOSE_RANGE_CLOEXEC = 1u << 2;
    public const int PR_SET_NAME = 15;
    public const int PR_SET_PDEATHSIG = 1;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close_range(uint first, uint last, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint signal(int signum, nint handler);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int socketpair(int domain, int type, int protocol, int* sv);

    [LibraryImport("libc")]
    public static partial int getppid();

    [LibraryImport("libc")]
    public static partial int gettid();

    [LibraryImport("libc")]
    public static partial uint umask(uint mask);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setuid(uint uid);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setgid(uint gid);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int setgroups(nuint size, uint* list);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint getpwnam(string name);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint getgrnam(string name);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint getpwuid(uint uid);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int initgroups(string user, uint group);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setsid();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int dup2(int oldfd, int newfd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    public const int O_RDWR = 2;

    public const uint MFD_CLOEXEC = 1;
    public const int PROT_READ = 1;
    public const int PROT_WRITE = 2;
    public const int MAP_SHARED = 1;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int memfd_create(string name, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int prctl(int option, nint arg2, nint arg3, nint arg4, nint arg5);

    public const int SOL_SOCKET = 1;
    public const int SO_REUSEADDR = 2;
    public const int SO_REUSEPORT = 15;

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int setsockopt(int fd, int level, int name, int* value, uint length);

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const uint STATX_TYPE = 1;

    /// <summary>statx(2): unlike stat(2), its struct has one layout on every architecture.</summary>
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
