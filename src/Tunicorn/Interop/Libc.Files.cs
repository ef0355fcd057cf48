using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>The libc calls behind log files that several processes append to (see <see cref="AppendOnlyFile"/>).</summary>
internal static partial class Libc
{
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    /// <summary>Linux's O_APPEND (02000): every write lands at the end of the file as it is at that moment.</summary>
    public const int O_APPEND = 0x400;
    public const int EINTR = 4;

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fchown(int fd, uint owner, uint group);

    [LibraryImport("libc")]
    public static partial uint geteuid();

    public const int AT_EMPTY_PATH = 0x1000;
    /// <summary>Size of struct statx (statx itself is declared in Libc.cs); its layout is the same on every Linux architecture (unlike struct stat).</summary>
    public const int StatxSize = 256;
    /// <summary>Offset of stx_mode (u16) in struct statx.</summary>
    public const int StatxModeOffset = 28;
    public const int S_IFMT = 0xF000;
    public const int S_IFREG = 0x8000;
}
